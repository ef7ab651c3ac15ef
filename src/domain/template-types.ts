// Template types: clients send a key (`storeCard`) or a display name (`Store Card`); the API always answers the
// display name.

/** Template types by their keys (lower-cased, without spaces), and the display name each is answered with. */
const TEMPLATE_TYPES: Record<string, string> = {
  boardingpass: "Boarding Pass",
  coupon: "Coupon",
  eventticket: "Event Ticket",
  generic: "Generic",
  storecard: "Store Card",
};

/** The display name of a template type given as a key or display name; other types (e.g. "Loyalty1") as given. */
export function templateTypeName(type: string): string {
  return TEMPLATE_TYPES[type.replace(/[\s_-]/g, "").toLowerCase()] ?? type;
}
