package demo

import "vinculo/crm"

// services: the demo's fibre plans are billed monthly or, for less, yearly
// (the portal offers customers the change of billing interval), and the
// portal customers' subscriptions are paid by bank transfer.
func (g *generator) services() error {
	yearly := map[int]float64{1: 1199.00, 5: 1599.00} // FIBRA-300, FIBRA-600: two months free
	for n, price := range yearly {
		p, err := g.app.FindRecordById(crm.Products, id("pr", n))
		if err != nil {
			return err
		}
		if set := p.GetString(crm.ProductIntervalPx); set != "" && set != "null" {
			continue // an earlier run set it (or the business changed it)
		}
		p.Set(crm.ProductIntervalPx, map[string]float64{"year": price})
		if err := g.app.Save(p); err != nil {
			return err
		}
	}
	for s := 1; s <= 3; s++ {
		sub, err := g.app.FindRecordById(crm.Subscriptions, id("sb", s))
		if err != nil || sub.GetString(crm.SubMethod) != "" {
			continue
		}
		sub.Set(crm.SubMethod, crm.MethodBankTransfer)
		if err := g.app.Save(sub); err != nil {
			return err
		}
	}
	return nil
}
