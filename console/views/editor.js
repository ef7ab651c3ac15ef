// The template editor: name and type, colours, logo text, barcode, images (PNG uploads, sent as data: URIs),
// fields and locations, with the live preview beside it (front and back, Apple and Google) drawn by
// POST /v1/template/preview from the unsaved body. The API's validation errors are shown at the control they name.
// Save is the /v1 create (POST /v1/template/{projectId}) or full replace (PUT /v1/template/{id}).
import { ApiError, api, imageOf } from "../api.js";
import { field, fill, h, select, showFieldError, uid } from "../dom.js";
import { crumbs, editableList, previewPanel } from "./common.js";
import { textModulesSection } from "./modules.js";

const TYPES = ["Store Card", "Coupon", "Event Ticket", "Generic", "Boarding Pass"].map((t) => [t, t]);
const FIELD_TYPES = ["header", "primary", "secondary", "auxiliary", "back"].map((t) => [t, t]);
const BARCODES = [
  ["", "No barcode"],
  ["QR", "QR"],
  ["PDF417", "PDF417"],
  ["Aztec", "Aztec"],
  ["Code128", "Code 128"],
];
const COLOURS = [
  ["background_color", "Background colour"],
  ["foreground_color", "Text colour"],
  ["label_color", "Label colour"],
];
const IMAGES = [
  ["icon_image", "Icon"],
  ["logo_image", "Logo"],
  ["strip_image", "Strip"],
  ["thumbnail_image", "Thumbnail"],
  ["background_image", "Background"],
];
const MAX_IMAGE_BYTES = 2 * 1024 * 1024;

/** #rrggbb of a colour the API holds (rgb(r,g,b) or #rrggbb), for the colour picker. */
function hexOf(value) {
  const rgb = /^rgb\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)$/i.exec(value ?? "");
  if (rgb)
    return `#${rgb
      .slice(1, 4)
      .map((n) => Number(n).toString(16).padStart(2, "0"))
      .join("")}`;
  return /^#[0-9a-f]{6}$/i.test(value ?? "") ? value : "#ffffff";
}
const rgbOf = (hex) => `rgb(${[1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join(",")})`;

export async function templateEditor(ctx, { projectId, templateId }) {
  const existing = templateId ? await api("GET", `/v1/template/${templateId}`) : null;
  const header = existing?.templateHeader;
  const model = existing?.fieldsModel ?? { headers: {}, fields: {} };
  const vendor = header?.vendor ?? "Apple";
  const project = projectId ?? header.projectId;
  const projectName = header?.projectName ?? (await api("GET", `/v1/project/${project}`)).name;
  const headerValue = (name) => model.headers?.[name]?.value ?? "";
  const writable = ctx.canWrite("wtmp");

  const name = field("Name", { name: "name", value: header?.name ?? "", required: true, maxlength: 255 });
  const description = field("Description", { name: "description", value: header?.description ?? "" });
  const vendorSelect = field(
    "Wallet",
    {},
    select(
      [
        ["Apple", "Apple Wallet"],
        ["Google", "Google Wallet"],
      ],
      vendor,
      { name: "vendor", disabled: Boolean(existing) },
    ),
  );
  // A type of its own (Airship's "Loyalty1", …) stays offered, so a save does not change it.
  const types = header && !TYPES.some(([t]) => t === header.type) ? [[header.type, header.type], ...TYPES] : TYPES;
  const type = field("Type", {}, select(types, header?.type ?? "Store Card", { name: "type" }));
  const logoText = field("Logo text", { name: "logo_text", value: headerValue("logo_text") });

  const colours = COLOURS.map(([key, label]) => {
    const text = field(label, { name: key, value: headerValue(key), hint: "rgb(r,g,b) or #rrggbb" });
    const picker = h("input", {
      type: "color",
      value: hexOf(headerValue(key)),
      "aria-label": `${label} picker`,
      oninput: () => {
        text.input.value = rgbOf(picker.value);
        changed();
      },
    });
    text.row.insertBefore(picker, text.input.nextSibling);
    text.input.addEventListener("input", () => {
      picker.value = hexOf(text.input.value.trim());
    });
    return { key, f: text };
  });

  const barcodeType = field("Barcode", {}, select(BARCODES, headerValue("barcode_type"), { name: "barcode_type" }));
  const barcodeValue = field("Barcode message", { name: "barcode_value", value: headerValue("barcode_value") });
  const barcodeAlt = field("Text under the barcode", {
    name: "barcodeAltText",
    value: headerValue("barcodeAltText") || headerValue("barcode_alt_text"),
  });

  const images = IMAGES.map(([key, label]) => {
    let value = headerValue(key);
    const file = field(`${label} image`, { type: "file", accept: "image/png", name: key, hint: "PNG, at most 2 MiB" });
    const state = h("span", { class: "hint" }, value ? "set" : "none");
    const remove = h(
      "button",
      {
        type: "button",
        class: "secondary small",
        onclick: () => {
          value = "";
          file.input.value = "";
          state.textContent = "none";
          changed();
        },
      },
      `Remove ${label.toLowerCase()} image`,
    );
    file.input.addEventListener("change", () => {
      const chosen = file.input.files?.[0];
      if (!chosen) return;
      if (chosen.size > MAX_IMAGE_BYTES || chosen.type !== "image/png") {
        showFieldError(file, "Choose a PNG of at most 2 MiB");
        return;
      }
      const reader = new FileReader();
      reader.onload = () => {
        value = String(reader.result);
        state.textContent = chosen.name;
        showFieldError(file);
        changed();
      };
      reader.readAsDataURL(chosen);
    });
    file.row.append(state, " ", remove);
    return { key, f: file, value: () => value };
  });

  // Fields: one row each, added and removed freely.
  const fieldList = editableList({
    legend: "Fields",
    addLabel: "Add field",
    changed: () => changed(),
    describe: (initial) => ({
      title: initial ? `Field ${initial[0]}` : "New field",
      removeLabel: initial ? `Remove field ${initial[0]}` : "Remove field",
    }),
    make: ([key, spec] = ["", { fieldType: "secondary" }]) => {
      const id = uid("fld");
      const entry = {
        key: field("Field name", { name: `${id}-key`, value: key, required: true }),
        fieldType: field("Where", {}, select(FIELD_TYPES, spec.fieldType ?? "secondary", { name: `${id}-type` })),
        label: field("Label", { name: `${id}-label`, value: spec.label ?? "" }),
        value: field("Value", { name: `${id}-value`, value: spec.value ?? "" }),
        changeMessage: field("Change message", {
          name: `${id}-change`,
          value: spec.changeMessage ?? "",
          hint: "%@ is the new value",
        }),
        spec,
      };
      entry.rows = [entry.key, entry.fieldType, entry.label, entry.value, entry.changeMessage].map((f) => f.row);
      return entry;
    },
  });
  const fieldEntries = fieldList.entries;
  for (const entry of Object.entries(model.fields ?? {})) fieldList.add(entry);
  const textModules = textModulesSection(model.textModulesData, () => changed());

  // Locations: latitude, longitude and the text Wallet shows near them.
  const locationList = editableList({
    legend: "Locations",
    addLabel: "Add location",
    changed: () => changed(),
    describe: () => ({ title: "Location", removeLabel: "Remove location" }),
    make: (location = {}) => {
      const id = uid("loc");
      const entry = {
        latitude: field("Latitude", { name: `${id}-lat`, value: location.latitude ?? "", inputmode: "decimal" }),
        longitude: field("Longitude", { name: `${id}-lon`, value: location.longitude ?? "", inputmode: "decimal" }),
        relevantText: field("Text near it", { name: `${id}-text`, value: location.relevantText ?? "" }),
      };
      entry.rows = [entry.latitude.row, entry.longitude.row, entry.relevantText.row];
      return entry;
    },
  });
  const locationEntries = locationList.entries;
  for (const location of model.locations ?? []) locationList.add(location);

  /** The template body the form holds (headers it does not show are kept as they were). */
  const body = (asVendor = vendorSelect.input.value) => {
    const headers = { ...(model.headers ?? {}) };
    const put = (key, value) => {
      if (value === "" || value === undefined) delete headers[key];
      else headers[key] = { ...(headers[key] ?? {}), value };
    };
    put("logo_text", logoText.input.value);
    for (const c of colours) put(c.key, c.f.input.value.trim());
    put("barcode_type", barcodeType.input.value);
    put("barcode_value", barcodeValue.input.value);
    delete headers.barcode_alt_text;
    put("barcodeAltText", barcodeAlt.input.value);
    for (const image of images) put(image.key, image.value());
    const fields = {};
    for (const e of fieldEntries) {
      const key = e.key.input.value.trim();
      if (!key) continue;
      fields[key] = {
        ...e.spec,
        fieldType: e.fieldType.input.value,
        label: e.label.input.value,
        value: e.value.input.value,
        ...(e.changeMessage.input.value
          ? { changeMessage: e.changeMessage.input.value }
          : { changeMessage: undefined }),
      };
    }
    const locations = locationEntries
      .map((l) => ({
        latitude: Number(l.latitude.input.value),
        longitude: Number(l.longitude.input.value),
        ...(l.relevantText.input.value ? { relevantText: l.relevantText.input.value } : {}),
      }))
      .filter((l) => l.latitude || l.longitude);
    // What the editor does not show (Google's modules, beacons, …) goes back as it came: the save is a full replace.
    const { headers: _h, fields: _f, locations: _l, ...rest } = model;
    const modules = textModules.value();
    return {
      ...rest,
      name: name.input.value,
      description: description.input.value,
      vendor: asVendor,
      type: type.input.value,
      headers,
      fields,
      ...(Object.keys(modules).length || model.textModulesData ? { textModulesData: modules } : {}),
      ...(locations.length || model.locations ? { locations } : {}),
    };
  };

  /** Every control an API message can name, by what it names. */
  const controls = () => {
    const named = new Map([
      ["name", name],
      ["description", description],
      ["type", type],
      ["logo_text", logoText],
      ["barcode_type", barcodeType],
      ["barcode_value", barcodeValue],
      ["barcodeAltText", barcodeAlt],
    ]);
    for (const c of colours) named.set(c.key, c.f);
    for (const i of images) named.set(i.key, i.f);
    for (const e of fieldEntries) named.set(`field:${e.key.input.value.trim()}`, e.value);
    for (const [module, control] of textModules.controls()) named.set(`module:${module}`, control);
    return named;
  };
  const formErrors = h("div", { class: "form-errors", role: "alert" });

  /** Puts each problem the API names beside its control; the rest above the form. Answers how many were placed. */
  const showErrors = (details) => {
    const named = controls();
    for (const control of new Set(named.values())) showFieldError(control);
    const general = [];
    for (const message of details) {
      const m = /^(field|header)s? "([^"]+)"/.exec(message) ?? /^(name|description|type)\b/.exec(message);
      const control = m
        ? m[1] === "field"
          ? (fieldEntries.find((e) => e.key.input.value.trim() === m[2])?.[
              /fieldType/.test(message) ? "fieldType" : "value"
            ] ?? named.get(`module:${m[2]}`))
          : m[1] === "header"
            ? named.get(m[2] === "barcode_alt_text" ? "barcodeAltText" : m[2])
            : named.get(m[1])
        : undefined;
      if (control) showFieldError(control, message);
      else general.push(message);
    }
    fill(
      formErrors,
      general.length
        ? h(
            "ul",
            {},
            general.map((g) => h("li", {}, g)),
          )
        : null,
    );
  };

  const preview = previewPanel(
    async (side, wallet) => {
      try {
        const url = await imageOf("POST", `/v1/template/preview?side=${side}&format=svg`, body(wallet));
        showErrors([]);
        return url;
      } catch (error) {
        if (error instanceof ApiError && error.status === 400)
          showErrors(error.details.length ? error.details : [error.message]);
        throw error;
      }
    },
    vendor === "Apple" ? ["Apple", "Google"] : ["Google", "Apple"],
  );

  let timer;
  function changed() {
    clearTimeout(timer);
    timer = setTimeout(() => preview.refresh(), 250);
  }

  const save = async (event) => {
    event.preventDefault();
    try {
      if (existing) {
        await api("PUT", `/v1/template/${templateId}`, body());
        showErrors([]);
        ctx.announce("Template saved.");
      } else {
        const created = await api("POST", `/v1/template/${project}`, body());
        ctx.announce("Template created.");
        ctx.navigate(`#/templates/${created.templateId}`);
      }
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) {
        showErrors(error.details.length ? error.details : [error.message]);
        const first = form.querySelector("[aria-invalid=true]");
        (first ?? formErrors).focus?.();
      }
      ctx.failure(error);
    }
  };

  // Apple passes show fields; Google passes text modules: the form shows the vendor's own.
  const fieldsSection = fieldList.section;
  const showVendorSections = () => {
    const google = vendorSelect.input.value === "Google";
    fieldsSection.hidden = google && fieldEntries.length === 0;
    textModules.section.hidden = !google;
  };
  vendorSelect.input.addEventListener("change", showVendorSections);
  showVendorSections();

  const form = h(
    "form",
    { class: "editor", onsubmit: save, oninput: changed, onchange: changed, novalidate: true },
    formErrors,
    h("fieldset", {}, h("legend", {}, "Template"), name.row, description.row, vendorSelect.row, type.row),
    h(
      "fieldset",
      {},
      h("legend", {}, "Look"),
      logoText.row,
      colours.map((c) => c.f.row),
      images.map((i) => i.f.row),
    ),
    h("fieldset", {}, h("legend", {}, "Barcode"), barcodeType.row, barcodeValue.row, barcodeAlt.row),
    fieldsSection,
    textModules.section,
    locationList.section,
    writable
      ? h("button", { type: "submit" }, existing ? "Save template" : "Create template")
      : h("p", { class: "hint" }, "This session is read-only: changes cannot be saved."),
  );
  preview.refresh();

  return h(
    "section",
    {},
    crumbs(
      ["#/projects", "Projects"],
      [`#/projects/${project}`, projectName],
      existing && [`#/templates/${templateId}`, header.name],
    ),
    h("h1", { tabindex: "-1" }, existing ? `Edit ${header.name}` : "New template"),
    h("div", { class: "columns" }, form, preview.panel),
  );
}
