// The live monitor: re-reads /api/v1/trainings/{id}/monitor every few seconds (the session
// cookie authenticates it) and redraws the three tables. Pauses while the tab is hidden.
const root = document.getElementById('monitor');
const PHASES = ['pre', 'post', 'evaluation'];
const EVERY_MS = 5000;
const names = JSON.parse(root.dataset.names || '{}');
const phaseNames = JSON.parse(root.dataset.phases || '{}');
const status = document.getElementById('monitor-status');
let timer = 0;

function cell(tag, text, attrs = {}) {
  const el = document.createElement(tag);
  el.textContent = text;
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

function row(cells) {
  const tr = document.createElement('tr');
  tr.append(...cells);
  return tr;
}

function fill(id, rows, columns) {
  const body = document.querySelector(`#${id} tbody`);
  body.replaceChildren(...(rows.length ? rows
    : [row([cell('td', root.dataset.nothing, { colspan: String(columns), class: 'muted' })])]));
}

function when(iso) {
  return iso ? iso.slice(5, 16).replace('T', ' ') : '';
}

function draw(data) {
  const table = new Map();
  const totals = { pre: 0, post: 0, evaluation: 0 };
  for (const c of data.counts) {
    if (!table.has(c.institution)) table.set(c.institution, {});
    table.get(c.institution)[c.phase] = c.n;
    totals[c.phase] = (totals[c.phase] || 0) + c.n;
  }
  const keys = [...table.keys()].sort();
  fill('counts', keys.map((k) => row([
    cell('th', names[k] || k, { scope: 'row' }),
    ...PHASES.map((p) => cell('td', String(table.get(k)[p] || 0))),
  ])), 4);
  const foot = document.querySelector('#counts tfoot tr');
  if (foot) PHASES.forEach((p, i) => { foot.children[i + 1].textContent = String(totals[p]); });
  fill('recent', data.recent.map((r) => {
    const code = cell('td', '', { dir: 'ltr' });
    code.append(cell('code', r.code));
    return row([
      cell('td', when(r.received_at), { dir: 'ltr', class: 'nowrap' }),
      cell('td', phaseNames[r.phase] || r.phase),
      code,
      cell('td', names[r.institution] || r.institution),
      cell('td', r.percent == null ? '—' : `${Math.round(r.percent)} %`, { dir: 'ltr', class: 'nowrap' }),
    ]);
  }), 5);
  fill('devices', data.devices_pending.map((d) => {
    const id = cell('td', '', { dir: 'ltr' });
    id.append(cell('code', d.id.slice(0, 8)));
    const seen = cell('td', when(d.last_seen_at), { dir: 'ltr', class: 'nowrap' });
    return row([id, seen, cell('td', String(d.pending))]);
  }), 3);
}

async function refresh() {
  clearTimeout(timer);
  try {
    const response = await fetch(root.dataset.url, {
      credentials: 'same-origin', headers: { Accept: 'application/json' },
    });
    if (response.status === 401) { location.reload(); return; }
    if (!response.ok) throw new Error(String(response.status));
    draw(await response.json());
    status.textContent = root.dataset.updated.replace('{time}', new Date().toLocaleTimeString());
  } catch {
    status.textContent = root.dataset.failed;
  }
  if (!document.hidden) timer = setTimeout(refresh, EVERY_MS);
}

document.addEventListener('visibilitychange', () => { if (!document.hidden) refresh(); });
timer = setTimeout(refresh, EVERY_MS);
