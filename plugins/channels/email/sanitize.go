package email

import (
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

// HTML mail is sanitised before anyone sees it: bluemonday's policy for
// user-written HTML keeps formatting, tables, lists, images and http(s) or
// mailto links, and drops scripts, styles, event attributes (onload,
// onclick), forms, frames and javascript: or data: links. Links open apart
// and send no referrer.
var mailPolicy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}()

func sanitizeHTML(s string) string {
	return strings.TrimSpace(mailPolicy.Sanitize(s))
}

// Elements that end a line of text.
var blockElements = map[string]bool{
	"p": true, "div": true, "br": true, "tr": true, "li": true, "table": true, "blockquote": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "hr": true, "pre": true,
	"ul": true, "ol": true, "dl": true, "dt": true, "dd": true, "section": true, "article": true,
}

var (
	spaces     = regexp.MustCompile(`[ \t\f\v\x{00a0}]+`)
	blankLines = regexp.MustCompile(`\n{3,}`)
)

// htmlText is the plain text of (sanitised) HTML: the words, a line break
// where a block ends, "- " before a list item. No library in reach does
// this small job on its own without its own table layout rules, so it is
// read here with the x/net HTML tokenizer (which also decodes entities).
func htmlText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return tidyText(b.String())
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch tag := string(name); {
			case tag == "script" || tag == "style" || tag == "head" || tag == "title":
				skip++
			case tag == "li":
				b.WriteString("\n- ")
			case tag == "td" || tag == "th":
				b.WriteString(" ")
			case blockElements[tag]:
				b.WriteString("\n")
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch tag := string(name); {
			case tag == "script" || tag == "style" || tag == "head" || tag == "title":
				if skip > 0 {
					skip--
				}
			case blockElements[tag] && tag != "li":
				b.WriteString("\n")
			}
		}
	}
}

func tidyText(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(spaces.ReplaceAllString(l, " "))
	}
	return strings.TrimSpace(blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}

var (
	// "On Tue, 24 Nov 2026, Vinculo <...> wrote:", "Em ter., ... escreveu:"
	attribution = regexp.MustCompile(`(?i)^(on|em|el|le|am)\b.*(wrote|escreveu|escribió|a écrit|schrieb)\s*:?\s*$`)
	// The separators Outlook and others put above the quoted mail.
	separator = regexp.MustCompile(`(?i)^\s*(-{2,}\s*(original message|mensagem original|mensaje original)\s*-{2,}|_{10,})\s*$`)
)

// newPart is the part of a reply its writer wrote: the quoted mail below
// it (lines starting with ">", the "... wrote:" line above them, or an
// Outlook separator and all after it) is left out. The whole text stays on
// the mail's row; a text that would end empty is kept whole.
func newPart(text string) string {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	end := len(lines)
	for i, l := range lines {
		if separator.MatchString(l) {
			end = i
			break
		}
	}
	for end > 0 {
		l := strings.TrimSpace(lines[end-1])
		if l == "" || strings.HasPrefix(l, ">") {
			end--
			continue
		}
		break
	}
	if end > 0 && end < len(lines) && attribution.MatchString(strings.TrimSpace(lines[end-1])) {
		end--
	}
	out := strings.TrimSpace(strings.Join(lines[:end], "\n"))
	if out == "" {
		return strings.TrimSpace(text)
	}
	return out
}
