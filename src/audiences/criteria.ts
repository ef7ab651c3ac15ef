// Segment criteria: boolean selectors over pass tags, as Airship writes them — {"tag": "VIP"}, {"and": […]},
// {"or": […]}, {"not": …}, nestable. Parsed with every problem named by its path and bounded (depth, tags,
// selectors, reads of the whole project); normalized (double negations, duplicates, nesting); compiled to one SQL set
// expression over pass_tags (tag → the passes carrying it; and → INTERSECT, with its `not` children as EXCEPT;
// or → UNION; a lone not → the project's passes EXCEPT), which Postgres answers from the tag index.

export type Criteria = { tag: string } | { and: Criteria[] } | { or: Criteria[] } | { not: Criteria };

export const MAX_DEPTH = 10;
export const MAX_TAGS = 100;
/** Selectors (tag, and, or, not) in one criteria document, however nested. */
export const MAX_NODES = 200;
/** Reads of the project's whole pass list a criteria may need (a `not` that nothing positive narrows). */
export const MAX_UNIVERSE_SCANS = 10;
const MAX_TAG_LENGTH = 255;

/** The criteria of a request, or the problems that make them unusable (each naming where it is). */
export function parseCriteria(raw: unknown): { criteria: Criteria } | { problems: string[] } {
  const problems: string[] = [];
  let tags = 0;
  let nodes = 0;
  const parse = (node: unknown, path: string, depth: number): Criteria | undefined => {
    if (++nodes > MAX_NODES) {
      if (nodes === MAX_NODES + 1) problems.push(`criteria: has more than ${MAX_NODES} selectors`);
      return undefined;
    }
    if (depth > MAX_DEPTH) {
      problems.push(`${path}: criteria nest deeper than ${MAX_DEPTH} levels`);
      return undefined;
    }
    if (typeof node !== "object" || node === null || Array.isArray(node)) {
      problems.push(`${path}: must be a selector object ({"tag"}, {"and"}, {"or"} or {"not"})`);
      return undefined;
    }
    const keys = Object.keys(node);
    if (keys.length !== 1 || !["tag", "and", "or", "not"].includes(keys[0]!)) {
      problems.push(
        `${path}: must have exactly one of "tag", "and", "or", "not" (got ${keys.slice(0, 5).join(", ") || "none"})`,
      );
      return undefined;
    }
    const key = keys[0] as "tag" | "and" | "or" | "not";
    const value = (node as Record<string, unknown>)[key];
    if (key === "tag") {
      if (typeof value !== "string" || value.trim() === "" || value.length > MAX_TAG_LENGTH) {
        problems.push(`${path}.tag: must be a non-empty string of at most ${MAX_TAG_LENGTH} characters`);
        return undefined;
      }
      tags++;
      return { tag: value.trim() };
    }
    if (key === "not") {
      const inner = parse(value, `${path}.not`, depth + 1);
      return inner && { not: inner };
    }
    if (!Array.isArray(value) || value.length === 0) {
      problems.push(`${path}.${key}: must be a non-empty array of selectors`);
      return undefined;
    }
    if (value.length > MAX_TAGS) {
      problems.push(`${path}.${key}: has more than ${MAX_TAGS} selectors`);
      return undefined;
    }
    const children = value.map((child, i) => parse(child, `${path}.${key}[${i}]`, depth + 1));
    if (children.some((c) => c === undefined)) return undefined;
    return key === "and" ? { and: children as Criteria[] } : { or: children as Criteria[] };
  };
  const criteria = parse(raw, "criteria", 1);
  if (tags > MAX_TAGS) problems.push(`criteria: names more than ${MAX_TAGS} tags (${tags})`);
  if (criteria && problems.length === 0) {
    const scans = universeScans(normalizeCriteria(criteria));
    if (scans > MAX_UNIVERSE_SCANS) {
      problems.push(
        `criteria: needs ${scans} reads of every pass of the project (a "not" that no tag beside it narrows); at most ${MAX_UNIVERSE_SCANS}`,
      );
    }
  }
  return criteria && problems.length === 0 ? { criteria } : { problems };
}

const keyOf = (c: Criteria) => JSON.stringify(c);

/**
 * The same selection with less to compute: double negations removed, nested and/or flattened, duplicate branches
 * merged, single-branch and/or replaced by their branch, and an `or` of negations turned into one negation of an
 * `and` (De Morgan) — so the SQL reads each tag and the project's passes as few times as it can.
 */
export function normalizeCriteria(criteria: Criteria): Criteria {
  if ("tag" in criteria) return criteria;
  if ("not" in criteria) {
    const inner = normalizeCriteria(criteria.not);
    return "not" in inner ? inner.not : { not: inner };
  }
  const op = "and" in criteria ? "and" : "or";
  const seen = new Map<string, Criteria>();
  for (const child of (criteria as Record<typeof op, Criteria[]>)[op].map(normalizeCriteria)) {
    for (const part of op in child ? (child as Record<typeof op, Criteria[]>)[op] : [child])
      seen.set(keyOf(part), part);
  }
  const children = [...seen.values()];
  if (children.length === 1) return children[0]!;
  if (op === "or" && children.every((c) => "not" in c)) {
    return normalizeCriteria({ not: { and: children.map((c) => (c as { not: Criteria }).not) } });
  }
  return op === "and" ? { and: children } : { or: children };
}

/** How many times the compiled SQL reads the project's whole pass list (see compileCriteria). */
export function universeScans(criteria: Criteria): number {
  if ("tag" in criteria) return 0;
  if ("not" in criteria) return 1 + universeScans(criteria.not);
  if ("or" in criteria) return criteria.or.reduce((n, c) => n + universeScans(c), 0);
  const positive = criteria.and.filter((c) => !("not" in c));
  const negative = criteria.and.filter((c): c is { not: Criteria } => "not" in c);
  return (
    (positive.length ? 0 : 1) +
    positive.reduce((n, c) => n + universeScans(c), 0) +
    negative.reduce((n, c) => n + universeScans(c.not), 0)
  );
}

/** Every tag name the criteria use. */
export function tagsOf(criteria: Criteria): string[] {
  if ("tag" in criteria) return [criteria.tag];
  if ("not" in criteria) return tagsOf(criteria.not);
  return [...new Set(("and" in criteria ? criteria.and : criteria.or).flatMap(tagsOf))];
}
