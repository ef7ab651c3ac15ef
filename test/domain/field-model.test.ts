// The field model's rules as pure functions: template parsing, pass overrides and the merged view, project
// defaults, values, template headers and type names.
import { describe, expect, it } from "vitest";
import { applyPassValues, designOf, isVoided, mergedView, parseTemplateBody } from "../../src/domain/field-model.js";
import { InvalidInput } from "../../src/domain/invalid-input.js";
import { templateHeaderOf } from "../../src/domain/template-header.js";
import { templateTypeName } from "../../src/domain/template-types.js";
import {
  colorProblem,
  hexColor,
  locationsRequestOf,
  parseBeacons,
  parseIsoDate,
  parseLocations,
  parseTags,
} from "../../src/domain/values.js";
import { appleTemplate, googleTemplate } from "../fixtures/reference.js";

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidInput) return error.problems;
    throw error;
  }
  return [];
};

describe("template parsing", () => {
  it("reads the reference's Apple and Google templates", () => {
    const apple = parseTemplateBody(appleTemplate);
    expect(apple).toMatchObject({ name: "Loyalty Card", vendor: "Apple", type: "Store Card" });
    expect(apple.design.fields.Coupon).toMatchObject({ fieldType: "primary", value: "20%" });
    const google = parseTemplateBody(googleTemplate);
    expect(google.vendor).toBe("Google");
    expect(google.design.fields["Tier Name"]).toMatchObject({ fieldType: "infoModuleData", value: "Silver" });
  });

  it("names every problem at once", () => {
    const problems = problemsOf(() =>
      parseTemplateBody({ name: "", vendor: "Nokia", fields: { a: { fieldType: "sideways" } } }),
    );
    expect(problems.join("\n")).toMatch(/name is required[\s\S]*vendor must be/);
  });

  it("keeps the vendor and type a replace leaves out, and answers type names", () => {
    const kept = parseTemplateBody({ name: "x", headers: {} }, { vendor: "Google", type: "Coupon" });
    expect(kept).toMatchObject({ vendor: "Google", type: "Coupon" });
    expect(templateTypeName("boardingPass")).toBe("Boarding Pass");
    expect(templateTypeName("event_ticket")).toBe("Event Ticket");
    expect(templateTypeName("Loyalty1")).toBe("Loyalty1");
  });
});

describe("pass values and the merged view", () => {
  const design = parseTemplateBody(appleTemplate).design;

  it("stores only what a pass overrides, and shows the template's values beneath", () => {
    const overrides = applyPassValues(design, {}, { fields: { Coupon: { value: "30%" } } });
    expect(overrides.fields).toEqual({ Coupon: { value: "30%" } });
    const view = mergedView(design, overrides);
    expect(view.fields.Coupon).toMatchObject({ value: "30%", label: "coupon", fieldType: "primary" });
    expect(view.fields.InStore).toMatchObject({ value: "1234 Fake St." });
  });

  it("refuses names the template lacks and non-numbers in Number fields", () => {
    const numeric = parseTemplateBody({
      name: "n",
      fields: { points: { fieldType: "primary", formatType: "Number", value: "1" } },
    }).design;
    expect(problemsOf(() => applyPassValues(numeric, {}, { fields: { nowhere: { value: 1 } } }))).toEqual([
      "Unknown field for this template: nowhere",
    ]);
    expect(problemsOf(() => applyPassValues(numeric, {}, { fields: { points: { value: "lots" } } }))[0]).toMatch(
      /Number field/,
    );
  });

  it("voids a pass by its expirationDate label", () => {
    const voided = applyPassValues(
      design,
      {},
      { headers: { expirationDate: { value: "2030-01-01T00:00:00Z", label: "voided" } } },
    );
    expect(isVoided(mergedView(design, voided).headers)).toBe(true);
    expect(isVoided(mergedView(design, {}).headers)).toBe(false);
  });

  it("fills the barcode headers a template leaves empty from its project's settings", () => {
    const withDefaults = designOf({
      design,
      projectSettings: { barcode_type: "aztec", barcode_default_value: "M-1", barcode_encoding: "" },
    });
    expect(withDefaults.headers.barcode_type?.value).toBe("aztec");
    expect(withDefaults.headers.barcode_value?.value).toBe("M-1");
    // The template's own encoding stays; an empty setting gives nothing.
    expect(withDefaults.headers.barcode_encoding?.value).toBe("iso-8859-1");
    expect(designOf({ design }).headers.barcode_type).toBeUndefined();
  });
});

describe("values", () => {
  it("checks colours, dates, locations, beacons and tags", () => {
    expect(colorProblem("rgb(24,86,148)")).toBeUndefined();
    expect(colorProblem("rgb(300,0,0)")).toBeDefined();
    expect(hexColor("rgb(255, 0, 16)")).toBe("#ff0010");
    expect(parseIsoDate("2030-10-01T12:00:00Z")?.toISOString()).toBe("2030-10-01T12:00:00.000Z");
    expect(parseIsoDate("next tuesday")).toBeUndefined();
    expect(parseLocations([{ latitude: "37.6", longitude: -122.3 }])).toEqual({
      locations: [{ latitude: 37.6, longitude: -122.3 }],
    });
    expect(parseLocations(Array(11).fill({ latitude: 1, longitude: 1 }))).toEqual({
      problems: ["at most 10 locations are allowed (got 11)"],
    });
    expect(parseLocations([{ latitude: 95, longitude: 0 }])).toMatchObject({
      problems: [expect.stringMatching(/latitude/)],
    });
    expect(parseBeacons([{ uuid: "not-a-uuid" }])).toMatchObject({ problems: [expect.stringMatching(/uuid/)] });
    expect(parseTags(["a", "a", " b "])).toEqual(["a", "b"]);
    expect(problemsOf(() => parseTags(Array.from({ length: 16 }, (_, i) => `t${i}`)))[0]).toMatch(/at most 15/);
    expect(locationsRequestOf(['{"latitude":1,"longitude":2}', { latitude: 3, longitude: 4 }])).toEqual([
      { latitude: 1, longitude: 2 },
      { latitude: 3, longitude: 4 },
    ]);
  });
});

describe("template headers", () => {
  it("answer string booleans, display type names, ISO dates, and no null keys", () => {
    const header = templateHeaderOf(
      {
        id: 7,
        externalId: null,
        name: "Card",
        description: "",
        vendor: "Apple",
        type: "storeCard",
        disabled: false,
        expiryDuration: null,
        createdAt: new Date("2030-01-01T00:00:00Z"),
        updatedAt: new Date("2030-01-02T00:00:00Z"),
      },
      { id: 3, name: "P", projectType: "loyalty" },
    );
    expect(header).toEqual({
      id: 7,
      name: "Card",
      description: "",
      vendor: "Apple",
      vendorId: 1,
      type: "Store Card",
      projectId: 3,
      projectName: "P",
      projectType: "loyalty",
      deleted: "False",
      disabled: "False",
      createdAt: "2030-01-01T00:00:00.000Z",
      updatedAt: "2030-01-02T00:00:00.000Z",
    });
  });
});
