package testkit

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"testing"
)

// Request sends method path to the world's server as who (a label; "" for
// nobody) with a raw body and these request headers, and reads the whole
// answer: res keeps its status and headers, the body is returned apart.
func (w *World) Request(t testing.TB, method, path, who string, body io.Reader, header map[string]string) (res *http.Response, raw []byte) {
	t.Helper()
	req, err := http.NewRequest(method, w.Serve(t).URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if token := w.Token(t, who); token != "" {
		req.Header.Set("Authorization", token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return Send(t, http.DefaultClient, req)
}

// DoWith is Do with these request headers.
func (w *World) DoWith(t testing.TB, method, path, who string, body any, header map[string]string) Response {
	t.Helper()
	all := map[string]string{}
	reader, isJSON := jsonBody(t, body)
	if isJSON {
		all["Content-Type"] = "application/json"
	}
	maps.Copy(all, header)
	res, raw := w.Request(t, method, path, who, reader, all)
	return Response{Status: res.StatusCode, Body: raw}
}

// Send sends req with client and reads the whole answer.
func Send(t testing.TB, client *http.Client, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, raw
}

// Form is a multipart form of fields and, when file is not nil, a file
// under fileField named filename; contentType goes in the Content-Type
// header.
func Form(fields map[string]string, fileField, filename string, file []byte) (body *bytes.Buffer, contentType string) {
	body = &bytes.Buffer{}
	mw := multipart.NewWriter(body)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if file != nil {
		fw, _ := mw.CreateFormFile(fileField, filename)
		_, _ = fw.Write(file)
	}
	_ = mw.Close()
	return body, mw.FormDataContentType()
}

// jsonBody is body as JSON, or no body at all for nil.
func jsonBody(t testing.TB, body any) (io.Reader, bool) {
	t.Helper()
	if body == nil {
		return nil, false
	}
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(raw), true
}
