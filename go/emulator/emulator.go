// Package emulator starts people-api-emulator for Go tests and points Google's People client at
// it (README: Go). Start(t) gives each test (or TestMain, with StartProcess) an emulator on a
// free port — or the one `people-api-emulator exec` started (PEOPLE_EMULATOR_URL) — and stops
// it when the test ends. The server is run from, in order: PEOPLE_EMULATOR_COMMAND (a command
// line, e.g. "npx people-api-emulator"), the clone this package sits in (dist/server.mjs, with
// node), or `npx --no-install people-api-emulator`.
package emulator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"google.golang.org/api/option"
)

// Emulator is a running emulator: its address, and the control plane's calls.
type Emulator struct {
	// URL is the emulator's address, e.g. http://127.0.0.1:38481.
	URL          string
	controlToken string
	cmd          *exec.Cmd
}

// Start returns an emulator for the test, stopped by t.Cleanup (one `exec` started is shared).
func Start(t testing.TB, args ...string) *Emulator {
	t.Helper()
	e, err := StartProcess(args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Stop() })
	return e
}

// StartProcess starts an emulator (for TestMain); Stop ends it. With PEOPLE_EMULATOR_URL set
// (under `people-api-emulator exec`) it uses that emulator and starts nothing.
func StartProcess(args ...string) (*Emulator, error) {
	if u := os.Getenv("PEOPLE_EMULATOR_URL"); u != "" {
		return &Emulator{URL: strings.TrimRight(u, "/"), controlToken: os.Getenv("PEOPLE_EMULATOR_CONTROL_TOKEN")}, nil
	}
	command := serverCommand()
	cmd := exec.Command(command[0], append(append(command[1:], "--port", "0", "--log-level", "warn"), args...)...)
	cmd.Env = ownEnv()
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("people-api-emulator: cannot start %v: %w", command, err)
	}
	lines := make(chan string, 1)
	go func() {
		reader := bufio.NewReader(stdout)
		line, _ := reader.ReadString('\n')
		lines <- line
		// Whatever else it prints is read and dropped: it never blocks on a full pipe.
		_, _ = io.Copy(io.Discard, reader)
	}()
	select {
	case line := <-lines:
		i := strings.Index(line, "listening on ")
		if i == -1 {
			_ = cmd.Process.Kill()
			return nil, fmt.Errorf("people-api-emulator did not start: %q", line)
		}
		return &Emulator{URL: strings.Fields(line[i+len("listening on "):])[0], cmd: cmd}, nil
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("people-api-emulator did not start within 30 s")
	}
}

// Stop ends an emulator StartProcess started (SIGTERM, then SIGKILL after 10 s).
func (e *Emulator) Stop() error {
	if e.cmd == nil {
		return nil
	}
	_ = e.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- e.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		return e.cmd.Process.Kill()
	}
}

// ClientOptions point people.NewService at the emulator, as the account `token` names.
func (e *Emulator) ClientOptions(token string) []option.ClientOption {
	return []option.ClientOption{
		option.WithEndpoint(e.URL + "/"),
		option.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token})),
	}
}

// Reset brings the state back to the start fixtures.
func (e *Emulator) Reset() error { return e.call("POST", "/_emulator/reset", nil, nil) }

// Snapshot saves the whole state under a name.
func (e *Emulator) Snapshot(name string) error {
	return e.call("POST", "/_emulator/snapshots", map[string]string{"name": name}, nil)
}

// Restore brings a snapshot's state back.
func (e *Emulator) Restore(name string) error {
	return e.call("POST", "/_emulator/snapshots/"+url.PathEscape(name)+":restore", nil, nil)
}

// AdvanceClock moves the emulator clock forward ("90s", "8d").
func (e *Emulator) AdvanceClock(duration string) error {
	return e.call("POST", "/_emulator/clock", map[string]string{"advance": duration}, nil)
}

// JournalEntry is one request of the journal (GET /_emulator/requests).
type JournalEntry struct {
	ID         int            `json:"id"`
	Account    *string        `json:"account"`
	Method     *string        `json:"method"`
	HTTPMethod string         `json:"httpMethod"`
	Path       string         `json:"path"`
	Query      map[string]any `json:"query"`
	Status     int            `json:"status"`
	Error      *struct {
		Status string `json:"status"`
	} `json:"error"`
}

// Requests reads the journal, every page, filtered (account, method, status, since).
func (e *Emulator) Requests(filter url.Values) ([]JournalEntry, error) {
	var all []JournalEntry
	params := url.Values{}
	for k, v := range filter {
		params[k] = v
	}
	for {
		var page struct {
			Requests      []JournalEntry `json:"requests"`
			NextPageToken string         `json:"nextPageToken"`
		}
		if err := e.call("GET", "/_emulator/requests?"+params.Encode(), nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Requests...)
		if page.NextPageToken == "" {
			return all, nil
		}
		params.Set("pageToken", page.NextPageToken)
	}
}

func (e *Emulator) call(method, path string, body any, into any) error {
	var payload io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		payload = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, e.URL+path, payload)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if e.controlToken != "" {
		req.Header.Set("Authorization", "Bearer "+e.controlToken)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	if into != nil {
		return json.Unmarshal(data, into)
	}
	return nil
}

func serverCommand() []string {
	if c := strings.Fields(os.Getenv("PEOPLE_EMULATOR_COMMAND")); len(c) > 0 {
		return c
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		clone := filepath.Join(filepath.Dir(file), "..", "..", "dist", "server.mjs")
		if _, err := os.Stat(clone); err == nil {
			return []string{"node", clone}
		}
	}
	return []string{"npx", "--no-install", "people-api-emulator"}
}

// ownEnv is the environment without PEOPLE_EMULATOR_* settings: the emulator's come from its arguments.
func ownEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PEOPLE_EMULATOR_") {
			env = append(env, kv)
		}
	}
	return env
}
