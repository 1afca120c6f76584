package demo

import "vinculo/crm"

// personal: the news topics customers choose about in the portal's
// Preferences (active personalisation). The demo business writes in
// Portuguese, as its customers read.
func (g *generator) personal() error {
	topics := []map[string]any{
		{crm.TopicName: "Novidades de produtos", crm.TopicDescription: "Lançamentos e melhorias nos nossos produtos e serviços.", crm.TopicActive: true, crm.TopicPosition: 1},
		{crm.TopicName: "Ofertas", crm.TopicDescription: "Promoções e descontos para clientes.", crm.TopicActive: true, crm.TopicPosition: 2},
	}
	for i, fields := range topics {
		if _, err := g.save(crm.NewsTopics, id("nt", i+1), fields); err != nil {
			return err
		}
	}
	return nil
}
