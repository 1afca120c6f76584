package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// The catalogue in the portal: a product is offered to customers with a
// switch, a longer text, pictures, the options they shape and whether it
// needs a delivery or appointment time. An order placed from the portal
// keeps that time, who it is for (the customer or their company) and the
// account that placed it; staff confirm an order before it is paid or
// handed over.
func init() {
	m.Register(catalogueUp, catalogueDown)
}

func catalogueUp(app core.App) error {
	products, err := app.FindCollectionByNameOrId(crm.Products)
	if err != nil {
		return err
	}
	pictures := files(crm.ProductPictures, 8)
	pictures.MaxSize = 5 << 20
	pictures.MimeTypes = []string{"image/jpeg", "image/png", "image/webp", "image/gif"}
	pictures.Thumbs = []string{"480x360", "120x120"}
	products.Fields.Add(
		boolean(crm.ProductInCatalogue),
		text(crm.ProductLongText, false, 20000),
		pictures,
		choice(crm.ProductNeedsTime, false, crm.NeedsDelivery, crm.NeedsAppointment),
		// [{key, kind: choice|addon|quantity|text, label, labels, price, ...}]
		jsonField(crm.ProductOptions, false, 64<<10),
	)
	index(products, false, crm.ProductInCatalogue, "active", "name")
	if err := app.Save(products); err != nil {
		return err
	}

	orders, err := app.FindCollectionByNameOrId(crm.Orders)
	if err != nil {
		return err
	}
	if status, ok := orders.Fields.GetByName("status").(*core.SelectField); ok {
		status.Values = []string{"placed", "confirmed", "paid", "shipped", "delivered", "cancelled"}
	}
	orders.Fields.Add(
		date(crm.OrderScheduledAt, false),
		choice(crm.OrderPlacedFor, false, crm.PlacedForSelf, crm.PlacedForCompany),
		relation(app, crm.OrderPlacedBy, crm.Customers, false, false),
	)
	index(orders, false, crm.OrderPlacedBy)
	if err := app.Save(orders); err != nil {
		return err
	}

	carts := core.NewBaseCollection(crm.Carts)
	carts.Fields.Add(
		relation(app, crm.CartCustomer, crm.Customers, true, true),
		jsonField(crm.CartLines, false, 64<<10),
	)
	carts.Fields.Add(timestamps()...)
	if id, ok := carts.Fields.GetByName(core.FieldNameId).(*core.TextField); ok {
		id.Help = "One cart per customer account: the products and options they are putting together, never a price (the server prices it on each read). Written through the cart's routes only; the customer reads their own, staff read."
	}
	setRules(carts, rules{read: or(isStaff, "("+isCustomer+" && "+crm.CartCustomer+" = @request.auth.id)")})
	index(carts, true, crm.CartCustomer)
	return app.Save(carts)
}

func catalogueDown(app core.App) error {
	if c, err := app.FindCollectionByNameOrId(crm.Carts); err == nil {
		if err := app.Delete(c); err != nil {
			return err
		}
	}
	if orders, err := app.FindCollectionByNameOrId(crm.Orders); err == nil {
		for _, f := range []string{crm.OrderScheduledAt, crm.OrderPlacedFor, crm.OrderPlacedBy} {
			orders.Fields.RemoveByName(f)
		}
		orders.RemoveIndex("idx_orders_" + crm.OrderPlacedBy)
		if status, ok := orders.Fields.GetByName("status").(*core.SelectField); ok {
			status.Values = []string{"placed", "paid", "shipped", "delivered", "cancelled"}
		}
		if err := app.Save(orders); err != nil {
			return err
		}
	}
	products, err := app.FindCollectionByNameOrId(crm.Products)
	if err != nil {
		return nil
	}
	for _, f := range []string{crm.ProductInCatalogue, crm.ProductLongText, crm.ProductPictures, crm.ProductNeedsTime, crm.ProductOptions} {
		products.Fields.RemoveByName(f)
	}
	products.RemoveIndex("idx_products_" + crm.ProductInCatalogue + "_active_name")
	return app.Save(products)
}
