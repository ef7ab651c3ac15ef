// Segment criteria bounds and normalization: normalizing never changes what a criteria selects (checked against a
// direct evaluation over random criteria and tag sets), removes what costs without selecting (double negations,
// duplicates, nesting), and the criteria that once compiled to 800 scans (100 branches of 8 nested negations) are
// refused with every reason named.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Criteria,
  MAX_NODES,
  normalizeCriteria,
  parseCriteria,
  universeScans,
} from "../../src/audiences/criteria.js";

const TAGS = ["a", "b", "c", "d"];

function holds(criteria: Criteria, tags: string[]): boolean {
  if ("tag" in criteria) return tags.includes(criteria.tag);
  if ("not" in criteria) return !holds(criteria.not, tags);
  if ("and" in criteria) return criteria.and.every((c) => holds(c, tags));
  return criteria.or.some((c) => holds(c, tags));
}

const { criteria: arbitraryCriteria } = fc.letrec<{ criteria: Criteria }>((tie) => ({
  criteria: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(...TAGS).map((tag) => ({ tag })),
    tie("criteria").map((c) => ({ not: c })),
    fc.array(tie("criteria"), { minLength: 1, maxLength: 4 }).map((and) => ({ and })),
    fc.array(tie("criteria"), { minLength: 1, maxLength: 4 }).map((or) => ({ or })),
  ),
}));

describe("segment criteria", () => {
  it("select the same passes once normalized, for any criteria and tag set", () => {
    fc.assert(
      fc.property(arbitraryCriteria, fc.subarray(TAGS), (criteria, tags) => {
        expect(holds(normalizeCriteria(criteria), tags)).toBe(holds(criteria, tags));
      }),
      { numRuns: 2000 },
    );
  });

  it("lose double negations, duplicate branches and needless nesting", () => {
    const deep = { not: { not: { not: { not: { tag: "a" } } } } };
    expect(normalizeCriteria(deep)).toEqual({ tag: "a" });
    expect(
      normalizeCriteria({ or: [{ tag: "a" }, { or: [{ tag: "b" }, { tag: "a" }] }, { and: [{ tag: "c" }] }] }),
    ).toEqual({ or: [{ tag: "a" }, { tag: "b" }, { tag: "c" }] });
    // An "or" of negations reads the project once, as one negation.
    const negations = { or: [{ not: { tag: "a" } }, { not: { tag: "b" } }, { not: { tag: "c" } }] };
    expect(universeScans(negations)).toBe(3);
    expect(normalizeCriteria(negations)).toEqual({ not: { and: [{ tag: "a" }, { tag: "b" }, { tag: "c" }] } });
    expect(universeScans(normalizeCriteria(negations))).toBe(1);
  });

  it("refuse the 100 branches of 8 nested negations, and criteria needing many reads of the whole project", () => {
    const nested = (tag: string) => {
      let node: Criteria = { tag };
      for (let i = 0; i < 8; i++) node = { not: node };
      return node;
    };
    const attack = parseCriteria({ or: Array.from({ length: 100 }, (_, i) => nested(`t${i}`)) });
    expect(attack).toEqual({ problems: [`criteria: has more than ${MAX_NODES} selectors`] });
    // Within the selector limit, but each branch a negation beside a tag: 11 reads of every pass.
    const mixed = parseCriteria({
      or: Array.from({ length: 11 }, (_, i) => ({ or: [{ tag: `p${i}` }, { not: { tag: `n${i}` } }] })),
    });
    expect("problems" in mixed && mixed.problems[0]).toMatch(/needs 11 reads of every pass of the project/);
    // The same count of negations narrowed by a tag costs no full read, and is accepted.
    const narrowed = parseCriteria({
      or: Array.from({ length: 11 }, (_, i) => ({ and: [{ tag: `p${i}` }, { not: { tag: `n${i}` } }] })),
    });
    expect("criteria" in narrowed).toBe(true);
  });
});
