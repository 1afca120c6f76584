package main

import (
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/dbutils"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/plugins/demo"
)

// createBare adds the baseline collection to the data dir in dir while no
// server runs: bench_contacts, a plain PocketBase base collection with the
// same fields and the same indexes as contacts, list and view rules "" (public)
// and no hooks (this program registers none, and Vinculo binds none to it),
// then copies every contact into it with one INSERT ... SELECT. Both tables end
// with the same planner statistics: the ones contacts has, if any.
//
// withCreate also sets the create rule to "" (anyone may create), for the
// record-create comparison of part 4.
func createBare(dir string, withCreate bool) (string, error) {
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir, QueryTimeout: time.Hour})
	if err := app.Bootstrap(); err != nil {
		return "", err
	}
	defer app.ResetBootstrapState()

	src, err := app.FindCollectionByNameOrId(demo.ContactsTable)
	if err != nil {
		return "", err
	}
	c := core.NewBaseCollection(bareName)
	c.Fields = src.Fields
	for _, raw := range src.Indexes {
		idx := dbutils.ParseIndex(raw)
		if !idx.IsValid() {
			return "", fmt.Errorf("cannot read the index %q", raw)
		}
		idx.IndexName = strings.Replace(idx.IndexName, src.Name, bareName, 1)
		idx.TableName = bareName
		c.Indexes = append(c.Indexes, idx.Build())
	}
	c.ListRule = types.Pointer("")
	c.ViewRule = types.Pointer("")
	if withCreate {
		c.CreateRule = types.Pointer("")
	}
	if err := app.Save(c); err != nil {
		return "", err
	}

	db := app.NonconcurrentDB().(*dbx.DB).DB()
	var columns []string
	rows, err := db.Query("SELECT name FROM pragma_table_info(?)", src.Name)
	if err != nil {
		return "", err
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return "", err
		}
		columns = append(columns, "`"+name+"`")
	}
	rows.Close()
	list := strings.Join(columns, ", ")
	if _, err := db.Exec(fmt.Sprintf("INSERT INTO `%s` (%s) SELECT %s FROM `%s`", bareName, list, list, src.Name)); err != nil {
		return "", err
	}
	var nSrc, nBare int64
	if err := db.QueryRow(fmt.Sprintf("SELECT (SELECT count(*) FROM `%s`), (SELECT count(*) FROM `%s`)", src.Name, bareName)).Scan(&nSrc, &nBare); err != nil {
		return "", err
	}
	if nSrc != nBare {
		return "", fmt.Errorf("copied %d rows of %d", nBare, nSrc)
	}

	stats, err := mirrorStats(db, src.Name, bareName)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d rows in both, %d indexes each, planner statistics: %s", nBare, len(c.Indexes), stats), nil
}

// mirrorStats gives table `to` the sqlite_stat1 rows of table `from`
// (index names renamed), or none if `from` has none.
func mirrorStats(db *sql.DB, from, to string) (string, error) {
	var hasStat int
	if err := db.QueryRow("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").Scan(&hasStat); err != nil {
		return "", err
	}
	if hasStat == 0 {
		return "none on either table", nil
	}
	if _, err := db.Exec("DELETE FROM sqlite_stat1 WHERE tbl = ?", to); err != nil {
		return "", err
	}
	res, err := db.Exec("INSERT INTO sqlite_stat1 (tbl, idx, stat) SELECT ?, replace(idx, ?, ?), stat FROM sqlite_stat1 WHERE tbl = ?", to, from, to, from)
	if err != nil {
		return "", err
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		return "none on either table", nil
	}
	return fmt.Sprintf("%d sqlite_stat1 rows of %s copied to %s", n, from, to), nil
}
