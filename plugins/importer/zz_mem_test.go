package importer_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"vinculo/plugins/importer"
	"vinculo/testkit"
)

func rssKB() int64 {
	raw, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

func TestZZMem(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("ZZN"))
	if n == 0 {
		t.Skip()
	}
	app := testkit.NewApp(t)
	if os.Getenv("ZZNOFTS") != "" {
		for _, tr := range []string{"ai", "au", "ad"} {
			app.DB().NewQuery("DROP TRIGGER IF EXISTS `_crm_search_contacts_" + tr + "`").Execute()
		}
	}
	path := t.TempDir() + "/f.csv"
	f, _ := os.Create(path)
	fmt.Fprintln(f, "name;email;mobile;company")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(f, "Pessoa %d Silva;p%d@x.com.br;(11) 9%08d;Empresa %d\n", i, i, 10000000+i, i%5000)
	}
	f.Close()
	in, _ := os.Open(path)
	stop := make(chan bool)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Second):
				t.Logf("rss %d MB", rssKB()/1024)
			}
		}
	}()
	mode := importer.ModeAllOrNothing
	if os.Getenv("ZZVALID") != "" {
		mode = importer.ModeValidOnly
	}
	res, err := importer.Run(context.Background(), app, in, importer.Options{Kind: "contacts", Mode: mode, OnDuplicate: "skip", Country: "BR"})
	close(stop)
	t.Logf("%v %+v rss %d MB", err, res.Counts, rssKB()/1024)
}
