// Google's Go client against the emulator: go run quickstart.go (the emulator at
// 127.0.0.1:8090, or wherever PEOPLE_EMULATOR_URL says).
// snippet: begin quickstart
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"golang.org/x/oauth2"
	"google.golang.org/api/option"
	"google.golang.org/api/people/v1"
)

func main() {
	emulator := os.Getenv("PEOPLE_EMULATOR_URL")
	if emulator == "" {
		emulator = "http://127.0.0.1:8090"
	}
	api, err := people.NewService(context.Background(), option.WithEndpoint(emulator+"/"),
		option.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "alice-token"})))
	if err != nil {
		log.Fatal(err)
	}
	ada, err := api.People.CreateContact(&people.Person{Names: []*people.Name{{GivenName: "Ada"}}}).Do()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created", ada.ResourceName, ada.Names[0].DisplayName)
	ada.Names[0].FamilyName = "Lovelace"
	renamed, err := api.People.UpdateContact(ada.ResourceName, ada).UpdatePersonFields("names").Do()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("renamed to", renamed.Names[0].DisplayName)
	_, err = api.People.UpdateContact(ada.ResourceName, ada).UpdatePersonFields("names").Do() // a stale etag now
	fmt.Println("refused:", err) // a *googleapi.Error: its Code, Message and Errors
}
// snippet: end quickstart
