// Run Mermaid's own gantt parser and task compiler on ONE chart read from stdin and print one JSON
// object: {ok, error, warnings, title, tasks, config}. A Mermaid failure is a result (ok:false,
// exit 0); exit 2 means this harness itself is broken. One chart per process, because Mermaid's
// gantt id table (taskDb) is module-global and never cleared, so ids leak between diagrams.

// Mermaid resolves dates with local-time dayjs/Date. Pin UTC before anything creates a Date, so
// results do not depend on the machine (Node also re-reads TZ when it is assigned at runtime).
process.env.TZ = 'UTC';

import { readFileSync } from 'node:fs';

const HARNESS_BROKEN = 2;

function fail(message) {
  process.stderr.write(`mermaid-tasks: harness error: ${message}\n`);
  process.exit(HARNESS_BROKEN);
}

let JSDOM, mermaid, dayjs, loadYaml, YAML_JSON_SCHEMA;
const warnings = [];
try {
  ({ JSDOM } = await import('jsdom'));
  // Mermaid's sanitizer (DOMPurify) needs a window at import time, or it fails with
  // "DOMPurify.addHook is not a function".
  const { window } = new JSDOM('<!doctype html><html><body></body></html>');
  globalThis.window = window;
  globalThis.document = window.document;

  // Mermaid's logger binds console.warn when initialize() sets the log level, so wrap it first.
  // Each call is (`%c<time> : WARN : `, 'color: orange', message...); keep only the message.
  console.warn = (...args) => {
    if (typeof args[0] === 'string' && / : WARN : $/.test(args[0])) args = args.slice(2);
    warnings.push(args.map(String).join(' '));
  };
  // stdout carries exactly one JSON object; anything else Mermaid or jsdom prints goes to stderr.
  console.log = console.info = console.debug = (...args) => console.error(...args);

  mermaid = (await import('mermaid')).default;
  dayjs = (await import('dayjs')).default;
  // Mermaid's default logLevel is 'fatal', which silences the gantt warnings we want to report.
  mermaid.initialize({ startOnLoad: false, logLevel: 'warn' });

  // Mermaid reads front matter with its bundled js-yaml, which it does not export. Borrow the very
  // same loader through mermaid.core.mjs's own import line (the version is pinned exactly).
  const coreUrl = import.meta.resolve('mermaid');
  const yamlChunk = readFileSync(new URL(coreUrl), 'utf8').match(
    /import\s*\{\s*JSON_SCHEMA,\s*load\s*\}\s*from\s*"([^"]+)"/,
  );
  if (!yamlChunk) fail("cannot find Mermaid's bundled YAML loader in mermaid.core.mjs");
  const yaml = await import(new URL(yamlChunk[1], coreUrl));
  ({ load: loadYaml, JSON_SCHEMA: YAML_JSON_SCHEMA } = yaml);
} catch (err) {
  fail(err?.stack ?? String(err));
}

// Mermaid passes the front-matter title only on its render() path (Diagram.fromText(code,
// {title})), which needs a layout engine; getDiagramFromText() drops it. So mirror
// extractFrontMatter(): frontMatterRegex is Mermaid's published rule, and its matchFrontMatter()
// is documented as a linear-time equivalent of it.
function frontMatterTitle(text) {
  const match = text
    .replace(/\r\n?/g, '\n')
    .match(/^([^\S\n\r]*)-{3}\s*[\n\r](.*?)[\n\r]\1-{3}\s*[\n\r]+/s);
  if (!match) return undefined;
  const [, indent, body] = match;
  const yaml = indent
    ? body.split('\n').map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l)).join('\n')
    : body;
  const parsed = loadYaml(yaml, { schema: YAML_JSON_SCHEMA }) ?? {};
  return typeof parsed === 'object' && !Array.isArray(parsed) && parsed.title
    ? parsed.title.toString()
    : undefined;
}

// Before parsing, Mermaid turns `#58;` into `ﬂ°°58¶ß` and `#amp;` into `ﬂ°amp¶ß`; the SVG gets
// `&#58;` / `&amp;`, which the browser's HTML parser decodes; jsdom's parser gives the same text.
const scratch = document.createElement('textarea');
function decode(text) {
  return text.replace(/ﬂ°(°?)(\+?\w+)¶ß/g, (_, numeric, body) => {
    scratch.innerHTML = `&${numeric ? '#' : ''}${body};`;
    return scratch.value;
  });
}

// "YYYY-MM-DDTHH:MM:SS.sss" in UTC; null for tasks Mermaid never resolved (deep forward `after`s).
function iso(date) {
  return date instanceof Date && !Number.isNaN(date.getTime())
    ? date.toISOString().replace(/Z$/, '')
    : null;
}

const text = readFileSync(0, 'utf8');
const result = { ok: true, error: null, warnings, title: '', tasks: [], config: {} };
try {
  // mermaid.parse() is the path that applies front matter and %%{init}%% config (displayMode,
  // topAxis, ...); getDiagramFromText() parses again and hands us the db. Dates are only resolved
  // in db.getTasks(), which is where `Invalid date:` errors are thrown.
  const { diagramType } = await mermaid.parse(text);
  if (diagramType !== 'gantt') {
    throw new Error(`not a gantt chart (Mermaid detected ${diagramType})`);
  }
  const metadata = { title: frontMatterTitle(text) };
  const { db } = await mermaid.mermaidAPI.getDiagramFromText(text, metadata);
  const conf = mermaid.mermaidAPI.getConfig().gantt ?? {};
  result.title = decode(db.getDiagramTitle() ?? '').trim();
  // The values the renderer uses: a db value wins, else the (front matter / init) gantt config.
  // Strings are kept raw: e.g. `tickInterval  1month` stores " 1month", which render ignores.
  const friday = dayjs('2025-01-03');
  result.config = {
    dateFormat: db.getDateFormat(),
    axisFormat: db.getAxisFormat() || (conf.axisFormat ?? '%Y-%m-%d'),
    tickInterval: db.getTickInterval() || conf.tickInterval || null,
    excludes: db.getExcludes(),
    includes: db.getIncludes(),
    todayMarker: db.getTodayMarker(),
    displayMode: db.getDisplayMode() || conf.displayMode || '',
    topAxis: Boolean(db.topAxisEnabled() || conf.topAxis),
    weekday: db.getWeekday() || conf.weekday,
    // The db has no getter for `weekend`; ask its own weekend test whether a Friday is excluded.
    weekend: db.isInvalidDate(friday, 'YYYY-MM-DD', ['weekends'], []) ? 'friday' : 'saturday',
    inclusiveEndDates: db.endDatesAreInclusive(),
    links: Object.fromEntries(db.getLinks()),
  };

  const tasks = db.getTasks();
  // Names keep Mermaid's padding (`A   :a1, ...` gives "A   "); SVG text collapses it, so trim.
  result.tasks = tasks.map((t) => ({
    id: t.id,
    task: decode(t.task ?? '').trim(),
    section: decode(t.section ?? '').trim(),
    start: iso(t.startTime),
    end: iso(t.endTime),
    // With `excludes`, the bar is drawn to renderEndTime (last included day), not endTime.
    renderEnd: iso(t.renderEndTime),
    milestone: Boolean(t.milestone),
    vert: Boolean(t.vert),
    done: Boolean(t.done),
    active: Boolean(t.active),
    crit: Boolean(t.crit),
    order: t.order,
  }));
} catch (err) {
  result.ok = false;
  result.error = err instanceof Error ? err.message : String(err?.message ?? err);
}
process.stdout.write(`${JSON.stringify(result)}\n`);
