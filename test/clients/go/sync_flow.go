// A contact-sync flow through Google's Go client (google.golang.org/api/people/v1), pointed at
// the emulator with option.WithEndpoint. Usage: sync_flow ROOT_URL TOKEN. It prints a JSON
// report of what the client surfaced; test/clients.process.test.ts checks it.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"golang.org/x/oauth2"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	people "google.golang.org/api/people/v1"
)

// failure is what the client's error type, *googleapi.Error, tells of a failed call.
func failure(err error) map[string]interface{} {
	var apiErr *googleapi.Error
	if !errors.As(err, &apiErr) {
		return map[string]interface{}{"type": fmt.Sprintf("%T", err), "message": err.Error()}
	}
	reason := ""
	if len(apiErr.Errors) > 0 {
		reason = apiErr.Errors[0].Reason
	}
	return map[string]interface{}{"type": "*googleapi.Error", "code": apiErr.Code, "message": apiErr.Message, "reason": reason}
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func main() {
	ctx := context.Background()
	rootURL, token := os.Args[1], os.Args[2]
	// snippet: begin go-service
	api, err := people.NewService(ctx,
		option.WithEndpoint(rootURL),
		option.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token})))
	// snippet: end go-service
	must(err)
	report := map[string]interface{}{}

	// Create a contact, then take a full sync of the connections.
	ada, err := api.People.CreateContact(&people.Person{
		Names:          []*people.Name{{GivenName: "Ada", FamilyName: "Lovelace"}},
		EmailAddresses: []*people.EmailAddress{{Value: "ada@example.com"}},
	}).PersonFields("names,emailAddresses").Do()
	must(err)
	report["created"] = ada.ResourceName
	bob, err := api.People.CreateContact(&people.Person{Names: []*people.Name{{GivenName: "Bob"}}}).Do()
	must(err)

	full, err := api.People.Connections.List("people/me").PersonFields("names").RequestSyncToken(true).Do()
	must(err)
	report["listed"] = len(full.Connections)
	report["gotSyncToken"] = full.NextSyncToken != ""

	// Read, then update with the etag just read.
	got, err := api.People.Get(ada.ResourceName).PersonFields("names,emailAddresses").Do()
	must(err)
	got.Names[0].GivenName = "Augusta Ada"
	updated, err := api.People.UpdateContact(ada.ResourceName, got).UpdatePersonFields("names").Do()
	must(err)
	report["updatedName"] = updated.Names[0].DisplayName
	report["etagChanged"] = updated.Etag != got.Etag

	// The etag of the first read is stale now.
	_, err = api.People.UpdateContact(ada.ResourceName, got).UpdatePersonFields("names").Do()
	report["staleEtag"] = failure(err)

	// Contact groups: create, rename, a duplicate name, members.
	club, err := api.ContactGroups.Create(&people.CreateContactGroupRequest{
		ContactGroup: &people.ContactGroup{Name: "Book club"},
	}).Do()
	must(err)
	renamed, err := api.ContactGroups.Update(club.ResourceName, &people.UpdateContactGroupRequest{
		ContactGroup: &people.ContactGroup{Name: "Readers", Etag: club.Etag},
	}).Do()
	must(err)
	report["renamed"] = renamed.Name
	chess, err := api.ContactGroups.Create(&people.CreateContactGroupRequest{
		ContactGroup: &people.ContactGroup{Name: "Chess"},
	}).Do()
	must(err)
	_, err = api.ContactGroups.Update(chess.ResourceName, &people.UpdateContactGroupRequest{
		ContactGroup: &people.ContactGroup{Name: "Readers"},
	}).Do()
	report["duplicateName"] = failure(err)
	_, err = api.ContactGroups.Members.Modify(renamed.ResourceName, &people.ModifyContactGroupMembersRequest{
		ResourceNamesToAdd: []string{ada.ResourceName},
	}).Do()
	must(err)
	group, err := api.ContactGroups.Get(renamed.ResourceName).MaxMembers(10).Do()
	must(err)
	report["memberCount"] = group.MemberCount
	report["members"] = group.MemberResourceNames

	// Delete one contact; the incremental sync shows the update and the tombstone.
	_, err = api.People.DeleteContact(bob.ResourceName).Do()
	must(err)
	changes, err := api.People.Connections.List("people/me").PersonFields("names").SyncToken(full.NextSyncToken).RequestSyncToken(true).Do()
	must(err)
	deleted := []string{}
	changed := []string{}
	for _, p := range changes.Connections {
		if p.Metadata != nil && p.Metadata.Deleted {
			deleted = append(deleted, p.ResourceName)
		} else {
			changed = append(changed, p.ResourceName)
		}
	}
	report["syncChanged"] = changed
	report["syncDeleted"] = deleted

	// Search: an empty query first, as Google asks, to warm the cache.
	_, err = api.People.SearchContacts().Query("").ReadMask("names").Do()
	must(err)
	found, err := api.People.SearchContacts().Query("augu").ReadMask("names").Do()
	must(err)
	names := []string{}
	for _, r := range found.Results {
		names = append(names, r.Person.ResourceName)
	}
	report["searchFound"] = names

	// Delete: the contact is gone.
	_, err = api.People.DeleteContact(ada.ResourceName).Do()
	must(err)
	_, err = api.People.Get(ada.ResourceName).PersonFields("names").Do()
	report["afterDelete"] = failure(err)

	out, err := json.Marshal(report)
	must(err)
	fmt.Println(string(out))
}
