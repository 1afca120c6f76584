package demo

import (
	"fmt"
	"time"

	"vinculo/crm"
)

// buyingRhythms gives the value model something to suggest (next best
// action, issue 18): João (the portal's customer) and a few others top up
// their 4G backup data about every 30 days, the last 27 days ago (due again
// in three days); a dozen customers bought the Wi-Fi 6 router, nine of them
// with its installation, so "bought together" has a rule.
func (g *generator) buyingRhythms(base int) error {
	if base < 40 {
		return nil
	}
	data := map[string]any{"name": "Pacote de dados 4G 10 GB", "code": "DADOS-10GB", "price": 29.90, "currency": "BRL",
		"kind": "one_off", "active": true, "description": "Dados móveis extras para o roteador 4G de reserva."}
	if _, err := g.save(crm.Products, id("pr", 90), data); err != nil {
		return err
	}
	n := 0
	order := func(contact, daysAgo int, products ...map[string]any) error {
		n++
		items, total := []map[string]any{}, 0.0
		for _, p := range products {
			items = append(items, map[string]any{"product": p["code"], "name": p["name"], "quantity": 1, "unit_price": p["price"]})
			total += p["price"].(float64)
		}
		placed := g.daysAgo(daysAgo).Add(11 * time.Hour)
		_, isNew, err := g.create(crm.Orders, id("os", n), map[string]any{"number": fmt.Sprintf("RIT-%05d", n),
			"contact": contactID(contact), "items": items, "total": total, "currency": "BRL", "status": "delivered",
			"placed_at": dt(placed)}, placed)
		if err != nil || !isNew {
			return err
		}
		return g.backdate(crm.FieldContact, contactID(contact), placed, nil) // its timeline happened then
	}
	for _, contact := range []int{1, 12, 25} {
		for _, d := range []int{117, 87, 57, 27} {
			if err := order(contact, d, data); err != nil {
				return err
			}
		}
	}
	router, install := productList[3], productList[2]
	for i := range 12 {
		products := []map[string]any{router}
		if i < 9 {
			products = append(products, install)
		}
		if err := order(2+i*3, 40+i*5, products...); err != nil { // contacts 2, 5 ... 35: within the smallest demo
			return err
		}
	}
	return order(38, 35, router) // the router alone: the installation is suggested
}
