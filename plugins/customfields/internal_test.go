package customfields

import "testing"

func TestGuardedRoundTrip(t *testing.T) {
	for _, base := range []string{"", "@request.auth.id != ''", "a = 1 || (b = 2 && c = 3)"} {
		r := guarded(&base, []string{"cf_a", "cf_b"})
		if got := unguarded(*r); got != base {
			t.Errorf("unguarded(guarded(%q)) = %q", base, got)
		}
		again := guarded(r, []string{"cf_a"})
		if got := unguarded(*again); got != base {
			t.Errorf("a second guard stacked: %q", *again)
		}
		if none := guarded(r, nil); *none != base {
			t.Errorf("no internal fields: %q, want %q", *none, base)
		}
	}
	if guarded(nil, []string{"cf_a"}) != nil {
		t.Error("a superusers-only rule was opened")
	}
}

func TestSlugAndMentions(t *testing.T) {
	for in, want := range map[string]string{"Região de venda": "cf_regiao_de_venda", "  VIP? ": "cf_vip", "Nº de lojas": "cf_n_de_lojas"} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
	names := []string{"cf_x"}
	for text, want := range map[string]string{"cf_x = 1": "cf_x", "(CF_X>1)": "cf_x", "contact.cf_x ?= 2": "cf_x", "cf_xy = 1": "", "abcf_x = 1": ""} {
		if got := mentioned(names, text); got != want {
			t.Errorf("mentioned(%q) = %q, want %q", text, got, want)
		}
	}
}
