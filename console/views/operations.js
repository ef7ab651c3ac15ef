// A project's operations: its activity (a chart of /activity, with the figures as a table), its callback, the
// account's webhook endpoints, dead-lettered deliveries (replayable), and its segments and schedules.
import { api, query } from "../api.js";
import { field, fill, h, when } from "../dom.js";
import { card, crumbs, guarded, table } from "./common.js";

const SVG = "http://www.w3.org/2000/svg";
const svg = (tag, attrs = {}, ...children) => {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  for (const child of children) el.append(child);
  return el;
};

const SERIES = [
  ["created", "Created", "#2f6fdf"],
  ["installed", "Installed", "#1f9d55"],
  ["uninstalled", "Uninstalled", "#d64545"],
];

/** Bars per day for created, installed and uninstalled passes; the same figures follow as a table. */
function activityChart(activity) {
  const days = activity.activity;
  const width = 640;
  const height = 200;
  const max = Math.max(1, ...days.flatMap((d) => SERIES.map(([k]) => d[k] ?? 0)));
  const slot = days.length ? (width - 40) / days.length : 0;
  const bar = Math.max(1, slot / 4);
  const chart = svg(
    "svg",
    {
      viewBox: `0 0 ${width} ${height + 30}`,
      role: "img",
      "aria-label": `Daily activity from ${activity.start} to ${activity.end}: ${SERIES.map(([k, label]) => `${activity.totals[k]} ${label.toLowerCase()}`).join(", ")}`,
      class: "chart",
    },
    svg("line", { x1: 30, y1: height, x2: width, y2: height, stroke: "#888" }),
    svg("text", { x: 0, y: 12, "font-size": 11 }, String(max)),
    svg("text", { x: 0, y: height, "font-size": 11 }, "0"),
  );
  days.forEach((day, i) => {
    SERIES.forEach(([key, , colour], j) => {
      const value = day[key] ?? 0;
      const barHeight = (value / max) * (height - 10);
      chart.append(
        svg("rect", {
          x: 40 + i * slot + j * bar,
          y: height - barHeight,
          width: bar,
          height: barHeight,
          fill: colour,
        }),
      );
    });
  });
  const legend = h(
    "ul",
    { class: "legend" },
    SERIES.map(([key, label, colour]) =>
      h("li", {}, h("span", { class: "swatch", "data-colour": colour }), `${label}: ${activity.totals[key]}`),
    ),
  );
  for (const swatch of legend.querySelectorAll(".swatch")) swatch.style.background = swatch.dataset.colour;
  const figures = h(
    "details",
    {},
    h("summary", {}, "Figures by day"),
    table(
      "Activity by day",
      ["Day", "Created", "Installed", "Uninstalled"],
      days.map((d) => [d.date, String(d.created), String(d.installed), String(d.uninstalled)]),
      "No activity in this period.",
    ),
  );
  return h("div", {}, chart, legend, figures);
}

export async function operationsPage(ctx, projectId) {
  const project = await api("GET", `/v1/project/${projectId}`);
  const writable = ctx.canWrite("wprj");
  const sections = [];
  const unavailable = (what, error) => h("p", { class: "empty" }, `${what}: ${error.message}`);
  const button = (label, onclick, kind = "secondary small") =>
    h("button", { type: "button", class: kind, onclick }, label);

  if (ctx.can("wrpt")) {
    const box = h("div", {});
    const start = field("From", { type: "date", name: "start" });
    const end = field("To", { type: "date", name: "end" });
    const show = async () => {
      try {
        const range = query({ start: start.input.value, end: end.input.value });
        const activity = await api("GET", `/v1/project/${projectId}/activity${range}`);
        start.input.value = activity.start;
        end.input.value = activity.end;
        fill(box, activityChart(activity));
      } catch (error) {
        fill(box, unavailable("No activity", error));
      }
    };
    await show();
    const form = h(
      "form",
      { class: "search", onsubmit: guarded(ctx, show) },
      start.row,
      end.row,
      h("button", { type: "submit" }, "Show"),
    );
    sections.push(card("activity-heading", "Activity", form, box));
  }

  if (ctx.can("wprj")) {
    sections.push(await callbackCard(ctx, projectId, writable));

    // Webhook endpoints are the account's: a project-limited session cannot read them.
    const webhookBox = h("div", {});
    const showWebhooks = async () => {
      try {
        const { data } = await api("GET", "/v0/webhookEndpoints");
        const toggle = (w) =>
          guarded(ctx, async () => {
            await api("PATCH", `/v0/webhookEndpoints/${w.id}`, { enabled: !w.enabled });
            await showWebhooks();
          });
        const rows = data.map((w) => [
          w.url,
          (w.enabledTopics ?? []).join(", "),
          w.enabled ? "yes" : "no",
          writable ? button(`${w.enabled ? "Disable" : "Enable"} ${w.url}`, toggle(w)) : "",
        ]);
        const empty = "No webhook endpoints (POST /v0/webhookEndpoints adds one).";
        fill(webhookBox, table("Webhook endpoints", ["URL", "Topics", "Enabled", ""], rows, empty));
      } catch (error) {
        fill(webhookBox, unavailable("Webhook endpoints unavailable", error));
      }
    };
    await showWebhooks();
    sections.push(card("webhooks-heading", "Webhooks", webhookBox));

    const deadBox = h("div", {});
    const showDead = async (before) => {
      const result = await api(
        "GET",
        `/v1/project/${projectId}/deliveries${query({ state: "dead", limit: 50, before })}`,
      );
      const replay = (body) =>
        guarded(ctx, async () => {
          const { replayed } = await api("POST", `/v1/project/${projectId}/deliveries/replay`, body);
          ctx.announce(`${replayed.length} ${replayed.length === 1 ? "delivery" : "deliveries"} queued again.`);
          await showDead();
        });
      const rows = result.deliveries.map((d) => [
        d.topic,
        d.url,
        String(d.attempts),
        d.lastStatus ? `HTTP ${d.lastStatus}` : (d.lastError ?? ""),
        when(d.finishedAt),
        writable ? button(`Replay delivery ${d.id}`, replay({ ids: [d.id] })) : "",
      ]);
      fill(
        deadBox,
        table(
          "Dead-lettered deliveries",
          ["Topic", "To", "Attempts", "Last answer", "Given up", ""],
          rows,
          "No dead letters.",
        ),
        writable && rows.length ? button("Replay all", replay({ all: true }), "") : null,
        result.next ? button("Older", () => showDead(result.next), "secondary") : null,
      );
    };
    await showDead().catch((error) => fill(deadBox, unavailable("Deliveries unavailable", error)));
    sections.push(card("dead-heading", "Dead letters", deadBox));
  }

  if (ctx.can("wseg")) {
    const box = h("div", {});
    try {
      const { segments } = await api("GET", `/v1/segments/${projectId}${query({ pageSize: 100 })}`);
      const rows = segments.map((s) => [s.display_name ?? s.segmentId, when(s.createdAt)]);
      fill(box, table("Segments", ["Segment", "Created"], rows, "No segments."));
    } catch (error) {
      fill(box, unavailable("Segments unavailable", error));
    }
    sections.push(card("segments-heading", "Segments", box));
  }

  if (ctx.can("wsch")) {
    const box = h("div", {});
    try {
      const { schedules, total_count } = await api("GET", `/v1/schedules/${projectId}`);
      const rows = schedules.map((s) => [s.name ?? s.id, s.schedule.scheduled_time, s.state]);
      fill(
        box,
        h("p", {}, `${total_count} waiting to run.`),
        table("Schedules", ["Schedule", "Runs at (UTC)", "State"], rows, "No schedules waiting."),
      );
    } catch (error) {
      fill(box, unavailable("Schedules unavailable", error));
    }
    sections.push(card("schedules-heading", "Schedules", box));
  }

  return h(
    "section",
    {},
    crumbs(["#/projects", "Projects"], [`#/projects/${projectId}`, project.name]),
    h("h1", { tabindex: "-1" }, `Operations of ${project.name}`),
    sections,
  );
}

/** The project's callback: where it calls, set and removed here. */
async function callbackCard(ctx, projectId, writable) {
  const box = h("div", {});
  const path = `/v1/project/${projectId}/settings/callback`;
  const baseUrl = field("Callback base URL", {
    type: "url",
    name: "baseUrl",
    hint: "https://…: installs, removals and sign-ups are POSTed below it",
  });
  const show = async () => {
    try {
      const callback = await api("GET", path);
      baseUrl.input.value = callback.baseUrl;
      fill(box, h("p", {}, `Calls ${callback.baseUrl} (set ${when(callback.updatedAt)}).`));
    } catch (error) {
      fill(box, h("p", { class: "empty" }, error.status === 404 ? "No callback set." : error.message));
    }
  };
  await show();
  const save = guarded(ctx, async () => {
    await api("POST", path, { baseUrl: baseUrl.input.value });
    ctx.announce("Callback saved.");
    await show();
  });
  const remove = guarded(ctx, async () => {
    await api("DELETE", path);
    ctx.announce("Callback removed.");
    baseUrl.input.value = "";
    await show();
  });
  const form = writable
    ? h(
        "form",
        { onsubmit: save },
        baseUrl.row,
        h("button", { type: "submit" }, "Save callback"),
        h("button", { type: "button", class: "secondary", onclick: remove }, "Remove callback"),
      )
    : null;
  return card("callback-heading", "Callback", box, form);
}
