package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// addCustomField adds a select field to contacts as the demo manager does
// from Settings (POST /api/crm/fields: a real column, its index, the search
// triggers and the customers' rules, in one schema change) and returns how
// long the change took. The bare side gets no such field: part 1 then
// measures the contact list of a business that has custom fields against
// bare PocketBase.
func addCustomField(client *http.Client, base string) (string, time.Duration, error) {
	token, _, err := signIn(client, base, "staff", managerEmail, agentPassword)
	if err != nil {
		return "", 0, err
	}
	body, _ := json.Marshal(map[string]any{"collection": "contacts", "label": "Bench region", "kind": "select",
		"options": []string{"North", "South", "East", "West"}})
	req, _ := http.NewRequest(http.MethodPost, base+"/api/crm/fields", bytes.NewReader(body))
	req.Header.Set("Authorization", token)
	req.Header.Set("Content-Type", "application/json")
	t0 := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	took := time.Since(t0)
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", 0, fmt.Errorf("adding a custom field: HTTP %d: %s", resp.StatusCode, raw)
	}
	var row struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(raw, &row)
	return row.Name, took, nil
}
