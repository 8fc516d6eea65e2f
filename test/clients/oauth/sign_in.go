// Sign in with Google against the emulator from Go: golang.org/x/oauth2's Config with the
// emulator's Endpoint, the code exchanged (HTTP Basic client authentication, as the package
// detects), a call through the client it makes, and its automatic refresh once its token
// has expired. Usage: sign_in EMULATOR_URL CLIENT_ID CLIENT_SECRET (the emulator runs with
// --oauth-auto-approve). Prints a JSON report; the test checks it.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func main() {
	emulator, clientID, secret := os.Args[1], os.Args[2], os.Args[3]
	ctx := context.Background()
	report := map[string]interface{}{}

	// snippet: begin go-sign-in
	cfg := &oauth2.Config{
		ClientID:     clientID,
		ClientSecret: secret,
		RedirectURL:  "http://127.0.0.1:8765/",
		Scopes:       []string{"openid", "email", "https://www.googleapis.com/auth/contacts"},
		Endpoint: oauth2.Endpoint{
			AuthURL:  emulator + "/o/oauth2/auth",
			TokenURL: emulator + "/token",
		},
	}
	authURL := cfg.AuthCodeURL("state-go", oauth2.AccessTypeOffline, oauth2.SetAuthURLParam("login_hint", "alice@example.com"))
	// snippet: end go-sign-in

	// The browser's part: the emulator grants it at once and redirects with the code.
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(authURL)
	must(err)
	resp.Body.Close()
	location, err := url.Parse(resp.Header.Get("Location"))
	must(err)
	report["state"] = location.Query().Get("state")

	tok, err := cfg.Exchange(ctx, location.Query().Get("code"))
	must(err)
	report["refresh_token"] = tok.RefreshToken != ""
	report["id_token"] = tok.Extra("id_token") != nil

	get := func(client *http.Client) int {
		r, err := client.Get(emulator + "/v1/people/me?personFields=emailAddresses")
		must(err)
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
		return r.StatusCode
	}
	report["first_call"] = get(cfg.Client(ctx, tok))

	// An hour passes on the emulator clock, and for the app: Go decides by the token's Expiry.
	must(postJSON(emulator+"/_emulator/clock", `{"advance":"61m"}`))
	report["stale_token"] = get(oauth2.NewClient(ctx, oauth2.StaticTokenSource(tok)))
	tok.Expiry = time.Now().Add(-time.Minute)
	source := cfg.TokenSource(ctx, tok)
	report["after_hour"] = get(oauth2.NewClient(ctx, source))
	fresh, err := source.Token()
	must(err)
	report["refreshed"] = fresh.AccessToken != tok.AccessToken
	report["kept_refresh_token"] = fresh.RefreshToken == tok.RefreshToken

	// Revoked: the next refresh fails with Google's error.
	must(postJSON(emulator+"/revoke?token="+url.QueryEscape(fresh.AccessToken), ``))
	fresh.Expiry = time.Now().Add(-time.Minute)
	_, err = cfg.TokenSource(ctx, fresh).Token()
	if err != nil {
		report["revoked"] = err.Error()
	}

	out, _ := json.Marshal(report)
	fmt.Println(string(out))
}

func postJSON(u, body string) error {
	kind := "application/json"
	if body == "" {
		kind = "application/x-www-form-urlencoded"
	}
	resp, err := http.Post(u, kind, strings.NewReader(body))
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s answered %d", u, resp.StatusCode)
	}
	return nil
}
