package main

// Part 3a (-parts 3a, or 360): the customer 360 page of a contact with many
// timeline entries, against its plain record view and one timeline page.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// bench360 measures the customer's page of the contact with timelineTarget
// entries, and two plain record API reads of the same contact as reference.
func bench360(ctx context.Context, opts options, client *http.Client, base, token, tag string) ([]latRow, error) {
	fmt.Printf("%s part 3a: the 360 page of %s and its plain reads ...\n", tag, targetContact)
	u360 := base + "/api/crm/contacts/" + targetContact + "/360"
	uView := base + "/api/collections/contacts/records/" + targetContact
	uPage := base + "/api/collections/activities/records?" + url.Values{
		"filter": {fmt.Sprintf("(contact='%s')", targetContact)}, "sort": {"-occurred_at"},
		"perPage": {"20"}, "skipTotal": {"1"},
	}.Encode()

	// What each answer holds, checked once before measuring.
	var page360 map[string]json.RawMessage
	if err := getJSON(client, u360, token, &page360); err != nil {
		return nil, fmt.Errorf("%w (is customer360 wired into plugins/plugins.go, and ./vinculo rebuilt?)", err)
	}
	var tl struct {
		Items []json.RawMessage `json:"items"`
		Next  string            `json:"next"`
	}
	_ = json.Unmarshal(page360["timeline"], &tl)
	var sections []string
	for _, k := range []string{"deals", "cases", "tasks", "orders", "subscriptions", "consents", "segments"} {
		var list []json.RawMessage
		_ = json.Unmarshal(page360[k], &list)
		sections = append(sections, fmt.Sprintf("%d %s", len(list), k))
	}
	next := "no next cursor"
	if tl.Next != "" {
		next = "next cursor"
	}
	note360 := fmt.Sprintf("timeline %d items + %s; %s; company %v", len(tl.Items), next, strings.Join(sections, ", "), string(page360["company"]) != "null")
	if len(tl.Items) == 0 {
		return nil, fmt.Errorf("the 360 answer has an empty timeline: %s", note360)
	}
	var view struct {
		ID string `json:"id"`
	}
	if err := getJSON(client, uView, token, &view); err != nil {
		return nil, err
	}
	if view.ID != targetContact {
		return nil, fmt.Errorf("record view answered id %q", view.ID)
	}
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := getJSON(client, uPage, token, &list); err != nil {
		return nil, err
	}
	if len(list.Items) == 0 {
		return nil, fmt.Errorf("the timeline page is empty")
	}
	fmt.Printf("%s   360: %s\n", tag, note360)

	return measureAlternating(ctx, opts, client, token, "3a",
		[]string{"360 page (/api/crm/contacts/{id}/360)", "record view (contacts/records/{id})", "timeline page (activities, 20 newest)"},
		[]string{u360, uView, uPage},
		[]string{note360 + "; writes an audit_log row per read", "1 record", fmt.Sprintf("%d records", len(list.Items))},
		opts.bigRequests, opts.bigWarmup)
}
