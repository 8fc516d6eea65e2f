// Package emulator starts people-api-emulator for Go tests and points Google's People client at
// it (docs/testing.md: Go). Start(t) gives each test (or TestMain, with StartProcess) an emulator on a
// free port — or the one `people-api-emulator exec` started (PEOPLE_EMULATOR_URL) — and stops
// it when the test ends, or when the test binary ends however it ends (the emulator runs with
// --exit-with-stdin on a pipe this process holds). The server is run by PEOPLE_EMULATOR_COMMAND
// (a command line without quoted spaces, e.g. "node /path/to/people-api-emulator/dist/server.mjs"
// or "npx people-api-emulator"), or else `npx --no-install people-api-emulator`.
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
	"strings"
	"sync"
	"syscall"
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
	stdin        io.Closer
	stopOnce     sync.Once
	stopErr      error
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
	all := append(append(command[1:], "--port", "0", "--log-level", "warn", "--exit-with-stdin"), args...)
	cmd := exec.Command(command[0], all...)
	cmd.Env = ownEnv()
	// Its stdin: a pipe this process holds; when it ends, however it ends, the emulator stops.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	// Its stderr is copied to the test's, and kept for a failed start's message.
	var failure bytes.Buffer
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("people-api-emulator: cannot start %v: %w (PEOPLE_EMULATOR_COMMAND names the command that runs it)", command, err)
	}
	var failureMu sync.Mutex
	go func() {
		reader := bufio.NewReader(stderr)
		for {
			line, err := reader.ReadString('\n')
			if line != "" {
				failureMu.Lock()
				if failure.Len() < 4096 {
					failure.WriteString(line)
				}
				failureMu.Unlock()
				fmt.Fprint(os.Stderr, line)
			}
			if err != nil {
				return
			}
		}
	}()
	lines := make(chan string, 1)
	go func() {
		reader := bufio.NewReader(stdout)
		line, _ := reader.ReadString('\n')
		lines <- line
		// Whatever else it prints is read and dropped: it never blocks on a full pipe.
		_, _ = io.Copy(io.Discard, reader)
	}()
	fail := func(why string) (*Emulator, error) {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		failureMu.Lock()
		defer failureMu.Unlock()
		return nil, fmt.Errorf("people-api-emulator (%s) did not start: %s %s(PEOPLE_EMULATOR_COMMAND names the command that runs it)", strings.Join(command, " "), why, failure.String())
	}
	select {
	case line := <-lines:
		i := strings.Index(line, "listening on ")
		if i == -1 {
			return fail(fmt.Sprintf("%q", line))
		}
		return &Emulator{URL: strings.Fields(line[i+len("listening on "):])[0], cmd: cmd, stdin: stdin, controlToken: controlToken(args)}, nil
	case <-time.After(30 * time.Second):
		return fail("no start line within 30 s")
	}
}

// controlToken is the token among the settings (--control-token T), which every control-plane call then sends.
func controlToken(args []string) string {
	for i, arg := range args {
		if arg == "--control-token" && i+1 < len(args) {
			return args[i+1]
		}
		if strings.HasPrefix(arg, "--control-token=") {
			return strings.TrimPrefix(arg, "--control-token=")
		}
	}
	return ""
}

// Stop ends an emulator StartProcess started: its stdin closes and it is sent SIGTERM (SIGKILL
// after 10 s). Calling it again (t.Cleanup after TestMain's own call) does nothing.
func (e *Emulator) Stop() error {
	if e.cmd == nil {
		return nil
	}
	e.stopOnce.Do(func() {
		_ = e.stdin.Close()
		_ = e.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- e.cmd.Wait() }()
		select {
		case e.stopErr = <-done:
		case <-time.After(10 * time.Second):
			_ = e.cmd.Process.Kill()
			e.stopErr = <-done
		}
	})
	return e.stopErr
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
