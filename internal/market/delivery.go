package market

// Deliveries beyond SaaS and license codes (rules §3.1, §4.1): goods shipped to the buyer, a
// professional service performed offline, and an image the buyer deploys itself. Like license
// codes they need no production-interface call: the marketplace records the delivery itself
// (for supervised products through the service flow).
const (
	DeliveryHardware Delivery = "HARDWARE"
	DeliveryService  Delivery = "SERVICE"
	DeliveryImage    Delivery = "IMAGE"
)

// Deliveries lists every delivery a spec may have.
var Deliveries = []Delivery{DeliverySaaS, DeliveryLicense, DeliveryHardware, DeliveryService, DeliveryImage}

// Offline reports whether the marketplace delivers d itself, without calling the merchant's
// production interface.
func (d Delivery) Offline() bool { return d != DeliverySaaS && d != "" }
