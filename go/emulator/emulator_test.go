// The helper as a Go test uses it (docs/testing.md: Go): run by test/go-helper.process.test.ts with
// Debian's Go in GOPATH mode, the package placed at people-api-emulator/emulator.
package emulator_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"testing"

	"google.golang.org/api/people/v1"

	"people-api-emulator/emulator"
)

// snippet: begin go-main
var shared *emulator.Emulator

func TestMain(m *testing.M) {
	e, err := emulator.StartProcess() // or PEOPLE_EMULATOR_URL, under people-api-emulator exec
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	shared = e
	code := m.Run()
	_ = e.Stop()
	os.Exit(code)
}
// snippet: end go-main

// snippet: begin go-test
func TestRenameSendsOneUpdate(t *testing.T) {
	if err := shared.Reset(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	svc, err := people.NewService(ctx, shared.ClientOptions("alice-token")...)
	if err != nil {
		t.Fatal(err)
	}
	ada, err := svc.People.CreateContact(&people.Person{Names: []*people.Name{{GivenName: "Ada"}}}).Do()
	if err != nil {
		t.Fatal(err)
	}
	ada.Names[0].GivenName = "Augusta Ada"
	if _, err := svc.People.UpdateContact(ada.ResourceName, ada).UpdatePersonFields("names").Do(); err != nil {
		t.Fatal(err)
	}
	sent, err := shared.Requests(url.Values{"method": {"people.people.updateContact"}})
	if err != nil || len(sent) != 1 || sent[0].Status != 200 {
		t.Fatalf("journal: %v %+v", err, sent)
	}
	fmt.Printf("renamed %s at %s\n", ada.ResourceName, shared.URL)
}
// snippet: end go-test

func TestStartGivesATestItsOwnEmulator(t *testing.T) {
	own := emulator.Start(t, "--clock", "fixed:2026-01-01T00:00:00Z")
	if own.URL == shared.URL && os.Getenv("PEOPLE_EMULATOR_URL") == "" {
		t.Fatalf("the same emulator: %s", own.URL)
	}
	svc, err := people.NewService(context.Background(), own.ClientOptions("bob-token")...)
	if err != nil {
		t.Fatal(err)
	}
	groups, err := svc.ContactGroups.List().Do()
	if err != nil || len(groups.ContactGroups) == 0 {
		t.Fatalf("contactGroups.list: %v", err)
	}
	if err := own.Snapshot("empty"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ContactGroups.Create(&people.CreateContactGroupRequest{ContactGroup: &people.ContactGroup{Name: "Readers"}}).Do(); err != nil {
		t.Fatal(err)
	}
	if err := own.Restore("empty"); err != nil {
		t.Fatal(err)
	}
	if err := own.AdvanceClock("8d"); err != nil {
		t.Fatal(err)
	}
	after, err := svc.ContactGroups.List().Do()
	if err != nil || len(after.ContactGroups) != len(groups.ContactGroups) {
		t.Fatalf("after the restore: %v %d groups", err, len(after.ContactGroups))
	}
}
