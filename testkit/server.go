// Package testkit starts a real Vinculo HTTP server on loopback for tests:
// PocketBase's router with every route and hook the app registered, served by
// net/http/httptest, so tests speak HTTP (and realtime SSE) as clients do.
package testkit

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// Server is a running test server.
type Server struct {
	URL    string
	App    core.App
	client *http.Client
}

// Serve builds the router, fires OnServe once (so plugins add their routes)
// and serves it on a free loopback port until the test ends.
func Serve(t testing.TB, app core.App) *Server {
	t.Helper()
	router, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	se := new(core.ServeEvent)
	se.App = app
	se.Router = router
	var handler http.Handler
	err = app.OnServe().Trigger(se, func(e *core.ServeEvent) error {
		mux, err := e.Router.BuildMux()
		handler = mux
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(handler)
	t.Cleanup(ts.Close)
	return &Server{URL: ts.URL, App: app, client: ts.Client()}
}

// Response is a finished request.
type Response struct {
	Status int
	Body   []byte
}

// JSON decodes the body into v.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("response is not JSON (%v): %s", err, r.Body)
	}
}

// Do sends a request with an optional auth token and JSON body.
func (s *Server) Do(t testing.TB, method, path, token string, body any) Response {
	t.Helper()
	reader, isJSON := jsonBody(t, body)
	req, err := http.NewRequest(method, s.URL+path, reader)
	if err != nil {
		t.Fatal(err)
	}
	if isJSON {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, raw := Send(t, s.client, req)
	return Response{Status: res.StatusCode, Body: raw}
}

// Token returns an auth token for a staff, customer or superuser record.
func Token(t testing.TB, record *core.Record) string {
	t.Helper()
	token, err := record.NewAuthToken()
	if err != nil {
		t.Fatal(err)
	}
	return token
}
