// The two wallets and what differs between them, as data: the one place a vendor is told apart. Code asks a
// vendor's traits (does it carry beacons, which platform counts its installs) instead of comparing its name, and
// hands a pass out through the vendor's adapter (domain/wallet-port.ts, implemented by apple/ and google/).
export type Vendor = "Apple" | "Google";

export const VENDOR_IDS: Record<Vendor, number> = { Apple: 1, Google: 2 };

export interface VendorTraits {
  /** The platform its installs are counted under (statistics, Badge). */
  readonly platform: "ios" | "android";
  /** iBeacon regions on templates and passes. */
  readonly beacons: boolean;
  /** Its images travel inside each pass (stored by hash, cleared per pass). */
  readonly imagesInPass: boolean;
  /** A pass.json, and the PassKit web service that serves the pass to phones. */
  readonly passKit: boolean;
  /** Classes and objects kept in sync with the vendor's REST API. */
  readonly syncedObjects: boolean;
  /** Where a template's fields live: Apple's field groups, or Google's modules. */
  readonly fieldsIn: "fields" | "modules";
  /** Rewards sign-up through the wallet (Apple's personalization). */
  readonly personalization: boolean;
  /** Where a notification's message goes on a pass: Apple's back fields, Google's text modules. */
  readonly messageFieldType: "back" | "textModulesData";
}

export const VENDORS: Record<Vendor, VendorTraits> = {
  Apple: {
    platform: "ios",
    beacons: true,
    imagesInPass: true,
    passKit: true,
    syncedObjects: false,
    fieldsIn: "fields",
    personalization: true,
    messageFieldType: "back",
  },
  Google: {
    platform: "android",
    beacons: false,
    imagesInPass: false,
    passKit: false,
    syncedObjects: true,
    fieldsIn: "modules",
    personalization: false,
    messageFieldType: "textModulesData",
  },
};

const isVendor = (value: string): value is Vendor => Object.hasOwn(VENDORS, value);

/** The traits of a stored vendor name (the database only holds the two). */
export function traitsOf(vendor: string): VendorTraits {
  if (!isVendor(vendor)) throw new Error(`unknown vendor ${vendor}`);
  return VENDORS[vendor];
}

/** A vendor named in a request, in any case ("apple", "GOOGLE"); undefined when it names neither. */
export function vendorNamed(name: string): Vendor | undefined {
  return (Object.keys(VENDORS) as Vendor[]).find((vendor) => vendor.toLowerCase() === name.toLowerCase());
}

/** The vendor whose passes a platform's phones take. */
export function vendorOn(platform: VendorTraits["platform"]): Vendor {
  return (Object.keys(VENDORS) as Vendor[]).find((vendor) => VENDORS[vendor].platform === platform)!;
}

/** A vendor by Airship's numeric vendorId (1 Apple, 2 Google). */
export function vendorWithId(id: number): Vendor | undefined {
  return (Object.keys(VENDOR_IDS) as Vendor[]).find((vendor) => VENDOR_IDS[vendor] === id);
}

/** Each vendor's message field type, as JSON for SQL that sets it per template (`$n::jsonb ->> t.vendor`). */
export const MESSAGE_FIELD_TYPES = JSON.stringify(
  Object.fromEntries(Object.entries(VENDORS).map(([vendor, traits]) => [vendor, traits.messageFieldType])),
);
