package storage

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/pocketbase/pocketbase/core"
)

const healthPath = "/api/health"

// health adds data.storage to PocketBase's health answer for a superuser;
// anyone else gets the answer as it was.
func (m *monitor) health(e *core.RequestEvent) error {
	if e.Request.URL.Path != healthPath || e.Request.Method != http.MethodGet || !e.HasSuperuserAuth() {
		return e.Next()
	}
	m.probe()
	original := e.Response
	buf := &captured{header: http.Header{}}
	e.Response = buf
	err := e.Next()
	e.Response = original
	if err != nil {
		return err
	}
	for k, v := range buf.header {
		if k != "Content-Length" {
			original.Header()[k] = v
		}
	}
	var answer map[string]any
	if json.Unmarshal(buf.body.Bytes(), &answer) != nil || buf.status() != http.StatusOK {
		original.WriteHeader(buf.status())
		_, err := original.Write(buf.body.Bytes())
		return err
	}
	data, _ := answer["data"].(map[string]any)
	if data == nil {
		data = map[string]any{}
	}
	data["storage"] = m.status()
	answer["data"] = data
	return e.JSON(http.StatusOK, answer)
}

// captured keeps PocketBase's health answer so that storage can be added.
type captured struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (c *captured) Header() http.Header { return c.header }

func (c *captured) WriteHeader(code int) {
	if c.code == 0 {
		c.code = code
	}
}

func (c *captured) Write(p []byte) (int, error) {
	if c.code == 0 {
		c.code = http.StatusOK
	}
	return c.body.Write(p)
}

func (c *captured) status() int {
	if c.code == 0 {
		return http.StatusOK
	}
	return c.code
}
