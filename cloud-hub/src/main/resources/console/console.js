// Tandem's operator console: the hub's REST API (/api/v1, the operator's bearer token) and its live
// events (/api/v1/events, server-sent events read through fetch so that the token goes in a header).
'use strict';
(function () {
  const TOKEN_KEY = 'tandem.token';
  const COLORS = ['#1565c0', '#ef6c00', '#2e7d32', '#6a1b9a', '#00838f', '#ad1457', '#5d4037', '#455a64'];
  const state = {
    token: sessionStorage.getItem(TOKEN_KEY),
    operator: null,
    budget: null,
    devices: new Map(),   // id -> ApiJson.Device
    alarms: new Map(),    // alarm episode id -> ApiJson.AlarmItem (its latest phase, open or ended)
    selected: null,
    readings: null,
    plot: null,
    stream: null,
    dropped: 0,
    rollouts: [],          // ApiJson of GET /rollouts, newest first
    rolloutViews: new Map(), // rollout id -> GET /rollouts/{id} (waves and per-device actions), for the newest few
  };
  const $ = (id) => document.getElementById(id);

  // ---- the API ----------------------------------------------------------------------------------
  class Unauthorized extends Error {}

  async function api(path, options = {}) {
    const headers = Object.assign({ 'Authorization': 'Bearer ' + state.token }, options.headers || {});
    const res = await fetch('/api/v1' + path, Object.assign({}, options, { headers }));
    if (res.status === 401) {
      throw new Unauthorized('the hub does not know this token');
    }
    const body = await res.json();
    if (!res.ok) {
      throw new Error(body.code + ': ' + body.message);
    }
    return body;
  }

  // ---- login ------------------------------------------------------------------------------------
  async function login(token) {
    state.token = token;
    try {
      const status = await api('/status');
      sessionStorage.setItem(TOKEN_KEY, token);
      state.operator = status.operator;
      $('who').textContent = status.operator.name + ' (' + status.operator.role + ')';
      $('hub').textContent = 'hub ' + status.instanceId + (status.site ? ' of site ' + status.site : '')
        + (status.connected ? '' : ' (broker not connected)');
      $('login').hidden = true;
      $('app').hidden = false;
      $('logout').hidden = false;
      startEvents();
      await Promise.all([loadFleet(), loadAlarms(), loadRollouts()]);
      if (state.opening && state.devices.has(state.opening)) await select(state.opening);
      state.opening = null;
    } catch (e) {
      sessionStorage.removeItem(TOKEN_KEY);
      state.token = null;
      showLogin(e instanceof Unauthorized ? 'That token is not one of this hub\'s operators.' : String(e.message || e));
    }
  }

  function showLogin(message) {
    stopEvents();
    $('app').hidden = true;
    $('logout').hidden = true;
    $('who').textContent = '';
    $('login').hidden = false;
    $('login-error').textContent = message || '';
    $('token').focus();
  }

  // ---- fleet ------------------------------------------------------------------------------------
  async function loadFleet() {
    const fleet = await api('/fleet');
    state.budget = fleet.escalationBudget;
    state.devices.clear();
    for (const site of fleet.sites) {
      for (const d of site.devices) {
        state.devices.set(d.id, d);
      }
    }
    renderFleet();
  }

  function renderFleet() {
    const bySite = new Map();
    for (const d of [...state.devices.values()].sort((a, b) => a.id.localeCompare(b.id))) {
      if (!bySite.has(d.site)) bySite.set(d.site, []);
      bySite.get(d.site).push(d);
    }
    const table = el('table', {},
      el('thead', {}, el('tr', {}, ...['device', 'state', 'model', 'class', 'last seen', 'alarm onsets', 'windows',
        'escalation rate (budget ' + pct(state.budget) + ')'].map((h) => el('th', {}, h)))));
    const body = el('tbody');
    for (const [site, devices] of bySite) {
      body.append(el('tr', {}, el('td', { class: 'site', colspan: 8 }, 'site ' + site)));
      for (const d of devices) {
        const row = el('tr', { class: 'device' + (d.id === state.selected ? ' selected' : ''), 'data-device': d.id,
          'data-state': d.state || '' },
          el('td', {}, d.device),
          el('td', {}, el('span', { class: 'state ' + (d.state || '') }, d.state || 'unknown')),
          el('td', { title: d.modelVersion || '' }, short(d.modelVersion)
            + (d.assignedVersion && d.assignedVersion !== d.modelVersion ? ' → ' + short(d.assignedVersion) : '')
            + (d.modelState ? ' (' + d.modelState.toLowerCase() + ')' : '')),
          el('td', {}, d.deviceClass || '–'),
          el('td', { class: 'ago', 'data-at': d.lastSeen || '' }, ago(d.lastSeen)),
          el('td', { class: 'onsets' }, String(d.alarms)),
          el('td', {}, String(d.windows)),
          rateCell(d));
        row.addEventListener('click', () => select(d.id));
        body.append(row);
      }
    }
    table.append(body);
    $('fleet').replaceChildren(state.devices.size ? table : el('p', { class: 'muted' },
      'No devices yet: they appear when they report their status or commission.'));
    $('fleet').dataset.ready = 'true';
    $('fleet').dataset.devices = String(state.devices.size);
    const over = [...state.devices.values()].filter((d) => d.overBudget).length;
    $('fleet-summary').textContent = state.devices.size + ' devices' + (over ? ', ' + over + ' over budget' : '');
    if (state.selected && state.devices.has(state.selected)) renderDeviceSummary(state.devices.get(state.selected));
  }

  function rateCell(d) {
    if (d.escalationRate === null || d.escalationRate === undefined) return el('td', { class: 'muted' }, 'no windows yet');
    const scale = Math.max(2 * d.escalationBudget, d.escalationRate) || 1;
    const bar = el('span', { class: 'rate' }, el('i', { style: 'width:' + (100 * d.escalationRate / scale) + '%' }),
      el('b', { style: 'left:' + (100 * d.escalationBudget / scale) + '%' }));
    return el('td', { class: d.overBudget ? 'over' : '', title: d.overBudget === null ? 'fewer than 100 windows scored' : '' },
      bar, pct(d.escalationRate));
  }

  // ---- one device -------------------------------------------------------------------------------
  async function select(id) {
    state.selected = id;
    state.readings = null;
    $('device-panel').hidden = false;
    $('device-name').textContent = id;
    renderFleet();
    await Promise.all([loadReadings(), loadLineage(), loadAlarms()]);
  }

  function renderDeviceSummary(d) {
    $('device-summary').textContent = (d.state || 'unknown') + ', model ' + short(d.modelVersion) + ', '
      + d.windows + ' windows, ' + d.escalations + ' escalated, ' + d.alarms + ' alarm onsets';
  }

  async function loadLineage() {
    const id = state.selected;
    const lineage = await api('/devices/' + encodeURIComponent(id) + '/models');
    if (id !== state.selected) return;
    const body = $('lineage').tBodies[0];
    body.replaceChildren(...lineage.models.map((m) => el('tr', { class: m.current ? 'selected' : '' },
      el('td', { title: m.version }, short(m.version) + (m.current ? ' (current)' : '')),
      el('td', { title: m.parentVersion || '' }, m.parentVersion ? short(m.parentVersion) : '–'),
      el('td', {}, String(m.generation)), el('td', {}, m.deviceClass),
      el('td', {}, when(m.fittedAt)), el('td', {}, when(m.issuedAt)),
      el('td', {}, m.tinyParameters + ' / ' + m.largeParameters))));
    if (!lineage.models.length) body.append(el('tr', {}, el('td', { colspan: 7, class: 'muted' }, 'no model assigned yet')));
  }

  async function loadReadings() {
    const id = state.selected;
    const r = await api('/devices/' + encodeURIComponent(id) + '/readings?limit=1000');
    if (id !== state.selected) return;
    state.readings = r;
    drawChart();
  }

  let readingsTimer = null;
  function readingsSoon() {
    if (readingsTimer) return;
    readingsTimer = setTimeout(() => { readingsTimer = null; loadReadings().catch(report); }, 1000);
  }

  /** The device's alarm episodes: [start, end or null (holding)] in seconds (one entry per episode). */
  function episodes(deviceId) {
    const out = [];
    for (const a of state.alarms.values()) {
      if (a.deviceId !== deviceId) continue;
      out.push({ start: a.onsetTs / 1000, end: a.open ? null : a.ts / 1000 });
    }
    return out;
  }

  function drawChart() {
    const r = state.readings;
    const box = $('chart');
    if (state.plot) { state.plot.destroy(); state.plot = null; }
    box.dataset.points = String(r ? r.samples.length : 0);
    $('chart-empty').hidden = !!(r && r.samples.length);
    if (!r || !r.samples.length || typeof uPlot === 'undefined') return;
    // a null between samples that are not consecutive, so that gaps show as gaps
    const xs = [], ys = [];
    for (let c = 0; c < r.channels; c++) ys.push([]);
    let last = null;
    for (const s of r.samples) {
      if (last && s.seq > last.seq + 1) {
        xs.push((last.ts + s.ts) / 2000);
        for (let c = 0; c < r.channels; c++) ys[c].push(null);
      }
      xs.push(s.ts / 1000);
      for (let c = 0; c < r.channels; c++) ys[c].push(s.values[c]);
      last = s;
    }
    const eps = episodes(r.id);
    // the commissioning set: the readings the device's models were fitted on (its normal)
    const commissioned = r.samples.filter((s) => s.seq <= r.commissionedThroughSeq);
    const commissioning = commissioned.length
      ? { start: commissioned[0].ts / 1000, end: commissioned[commissioned.length - 1].ts / 1000 } : null;
    const judged = r.escalations;
    const series = [{}];
    for (let c = 0; c < r.channels; c++) {
      series.push({ label: 'channel ' + c, stroke: COLORS[c % COLORS.length], width: 1, scale: 'y' + c, spanGaps: false });
    }
    // each channel on its own scale (their units differ); one axis shown, the others hidden
    const axes = [{}];
    for (let c = 0; c < r.channels; c++) axes.push({ scale: 'y' + c, show: c === 0 });
    const opts = {
      width: Math.max(400, box.clientWidth || 900), height: 260, series, axes,
      scales: { x: { time: true } },
      legend: { live: true },
      hooks: {
        drawAxes: [(u) => {
          const ctx = u.ctx, top = u.bbox.top, h = u.bbox.height;
          ctx.save();
          if (commissioning) {
            ctx.fillStyle = 'rgba(21, 101, 192, 0.08)';
            const c0 = u.valToPos(Math.max(commissioning.start, u.scales.x.min), 'x', true);
            const c1 = u.valToPos(Math.min(commissioning.end, u.scales.x.max), 'x', true);
            if (c1 > c0) ctx.fillRect(c0, top, c1 - c0, h);
          }
          ctx.fillStyle = 'rgba(198, 40, 40, 0.18)';
          for (const e of eps) {
            const x0 = u.valToPos(Math.max(e.start, u.scales.x.min), 'x', true);
            const x1 = u.valToPos(e.end === null ? u.scales.x.max : Math.min(e.end, u.scales.x.max), 'x', true);
            if (x1 > x0) ctx.fillRect(x0, top, x1 - x0, h);
          }
          ctx.restore();
        }],
        draw: [(u) => {
          const ctx = u.ctx, top = u.bbox.top, h = u.bbox.height;
          ctx.save();
          ctx.lineWidth = 2;
          for (const j of judged) {
            const t = j.ts / 1000;
            if (t < u.scales.x.min || t > u.scales.x.max) continue;
            const x = u.valToPos(t, 'x', true);
            ctx.strokeStyle = j.anomaly === null ? '#999' : j.anomaly ? '#c62828' : '#2e7d32';
            ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + h); ctx.stroke();
          }
          ctx.restore();
        }],
      },
    };
    state.plot = new uPlot(opts, [xs, ...ys], box);
    const verdicts = judged.filter((j) => j.anomaly !== null);
    box.dataset.escalations = String(judged.length);
    box.title = r.samples.length + ' readings, ' + judged.length + ' escalations (' + verdicts.length + ' verdicts), '
      + eps.length + ' alarm episodes';
  }

  // ---- alarms -----------------------------------------------------------------------------------
  async function loadAlarms() {
    const list = await api('/alarms?limit=1000');
    for (const a of list.alarms) state.alarms.set(a.id, a);
    renderAlarms();
  }

  function renderAlarms() {
    // one row per episode (the hub files every message under its episode), with how it ended
    const onsets = [...state.alarms.values()].sort((a, b) => b.id - a.id);
    const admin = state.operator && state.operator.role === 'admin';
    const rows = onsets.slice(0, 200).map((a) => {
      const end = a.open ? null : a;
      const ack = a.ackedBy
        ? el('td', { class: 'acked' }, a.ackedBy + ' at ' + when(a.ackedAt) + (a.note ? ' (' + a.note + ')' : ''))
        : el('td', {}, admin ? button('Acknowledge', () => acknowledge(a.id)) : el('span', { class: 'muted' }, 'no'));
      return el('tr', { 'data-alarm': String(a.id), 'data-device': a.deviceId, 'data-onset': String(a.onsetTs),
        'data-acked': a.ackedBy ? 'true' : 'false' },
        el('td', {}, String(a.id)), el('td', {}, a.deviceId), el('td', {}, when(new Date(a.onsetTs).toISOString())),
        end ? el('td', {}, end.phase.toLowerCase() + ' at ' + when(new Date(end.ts).toISOString()))
          : el('td', { class: 'holding' }, 'holding'),
        el('td', {}, a.peakScore.toFixed(2)), el('td', {}, a.source),
        el('td', {}, (a.channels || []).join(', ') || '–'), ack);
    });
    $('alarms').tBodies[0].replaceChildren(...rows);
    if (!rows.length) {
      $('alarms').tBodies[0].append(el('tr', {}, el('td', { colspan: 8, class: 'muted' }, 'no alarms')));
    }
    const holding = onsets.filter((a) => a.open).length;
    const unacked = onsets.filter((a) => !a.ackedBy).length;
    $('alarms-summary').textContent = onsets.length + ' episodes, ' + holding + ' holding, ' + unacked + ' not acknowledged';
  }

  async function acknowledge(id) {
    try {
      const a = await api('/alarms/' + id + '/ack', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({}) });
      state.alarms.set(a.id, a);
      renderAlarms();
    } catch (e) {
      report(e);
    }
  }

  // ---- rollouts ---------------------------------------------------------------------------------
  // The hub sends no event of its own for a rollout: while one is under way the panel reads the API
  // again every 2 s (and soon after a device's model changes), else every 5 s (a new one started elsewhere).
  const ROLLOUT_DETAILS = 5;
  const ROLLOUT_ENDED = new Set(['FINISHED', 'ROLLED_BACK', 'ABORTED']);
  let rolloutsTimer = null;

  async function loadRollouts() {
    if (rolloutsTimer) { clearTimeout(rolloutsTimer); rolloutsTimer = null; }
    let underway = false;
    try {
      const list = await api('/rollouts');
      const recent = list.rollouts.slice().sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      const views = await Promise.all(recent.slice(0, ROLLOUT_DETAILS).map((r) =>
        api('/rollouts/' + encodeURIComponent(r.id) + '?limit=1000')));
      state.rollouts = recent;
      state.rolloutViews = new Map(views.map((v) => [v.id, v]));
      underway = recent.some((r) => !ROLLOUT_ENDED.has(r.state));
      renderRollouts();
    } finally {
      if (state.token && !$('app').hidden) {
        rolloutsTimer = setTimeout(() => loadRollouts().catch(report), underway ? 2000 : 5000);
      }
    }
  }

  function rolloutsSoon() {
    if (!state.rollouts.some((r) => !ROLLOUT_ENDED.has(r.state))) return;
    if (rolloutsTimer) clearTimeout(rolloutsTimer);
    rolloutsTimer = setTimeout(() => loadRollouts().catch(report), 500);
  }

  function countsText(counts) {
    return Object.entries(counts || {}).filter(([, n]) => n > 0)
      .map(([s, n]) => n + ' ' + s.toLowerCase().replace('_', ' ')).join(', ') || 'none';
  }

  function renderRollouts() {
    const box = $('rollouts');
    const items = state.rollouts.map((r) => {
      const v = state.rolloutViews.get(r.id);
      const head = el('div', { class: 'head' }, (r.name || r.id) + ' ',
        el('span', { class: 'muted' }, r.id + ': ' + r.change.kind.toLowerCase() + ' ' + r.change.ref),
        el('span', { class: 'state ' + r.state }, r.state.toLowerCase().replace('_', ' ')));
      const sub = el('div', { class: 'muted' }, r.devices + ' devices, wave '
        + (r.currentWave < 0 ? '–' : (r.currentWave + 1)) + ' of ' + r.waveCount + '; ' + countsText(r.counts)
        + '; by ' + r.createdBy + ' at ' + when(r.createdAt));
      const out = el('div', { class: 'rollout', 'data-rollout': r.id, 'data-state': r.state }, head, sub);
      if (v) {
        const byWave = new Map();
        for (const a of v.actions.items) {
          if (!byWave.has(a.wave)) byWave.set(a.wave, []);
          byWave.get(a.wave).push(a);
        }
        const table = el('table', { class: 'waves' }, el('thead', {}, el('tr', {},
          ...['wave', 'reach', 'gate', 'states', 'devices'].map((h) => el('th', {}, h)))));
        const body = el('tbody');
        for (const w of v.waveDetails) {
          const chips = (byWave.get(w.index) || []).map((a) => el('span', { class: 'action ' + a.state,
            'data-device': a.device, 'data-state': a.state,
            title: a.state + ' since ' + when(a.since) + (a.code ? ' (' + a.code + (a.reason ? ': ' + a.reason : '') + ')' : '') },
          a.device.slice(a.device.indexOf(':') + 1) + ' ' + a.state.toLowerCase().replace('_', ' ')));
          body.append(el('tr', { class: w.index === r.currentWave ? 'current' : '', 'data-wave': String(w.index) },
            el('td', {}, String(w.index + 1)), el('td', {}, String(w.reach)),
            el('td', {}, Math.round(100 * w.successThreshold) + ' % active, shadow ' + w.shadowSeconds + ' s'),
            el('td', {}, countsText(w.counts)), el('td', {}, ...chips)));
        }
        table.append(body);
        out.append(table);
        if (v.actions.total > v.actions.items.length) {
          out.append(el('p', { class: 'muted' }, 'showing ' + v.actions.items.length + ' of ' + v.actions.total + ' devices'));
        }
      }
      return out;
    });
    box.replaceChildren(...(items.length ? items : [el('p', { class: 'muted' }, 'No rollouts yet.')]));
    box.dataset.ready = 'true';
    box.dataset.rollouts = String(items.length);
    const underway = state.rollouts.filter((r) => !ROLLOUT_ENDED.has(r.state)).length;
    $('rollouts-summary').textContent = state.rollouts.length + ' rollouts' + (underway ? ', ' + underway + ' under way' : '');
  }

  // ---- live events ------------------------------------------------------------------------------
  function startEvents() {
    stopEvents();
    const controller = new AbortController();
    state.stream = controller;
    (async () => {
      let delay = 1000;
      while (!controller.signal.aborted) {
        try {
          const res = await fetch('/api/v1/events', { headers: { 'Authorization': 'Bearer ' + state.token },
            signal: controller.signal });
          if (res.status === 401) { showLogin('The hub no longer accepts this token.'); return; }
          if (!res.ok) throw new Error('events: HTTP ' + res.status);
          setLive('open');
          delay = 1000;
          await readEvents(res.body.getReader(), controller.signal);
          // the hub ended the stream: catch up on what happened meanwhile and reconnect
          await Promise.all([loadFleet(), loadAlarms(), loadRollouts()]);
        } catch (e) {
          if (controller.signal.aborted) return;
        }
        setLive('retrying');
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 15000);
        if (!controller.signal.aborted) await Promise.all([loadFleet(), loadAlarms()]).catch(() => {});
      }
    })();
  }

  function stopEvents() {
    if (rolloutsTimer) { clearTimeout(rolloutsTimer); rolloutsTimer = null; }
    if (state.stream) state.stream.abort();
    state.stream = null;
    setLive('closed');
  }

  async function readEvents(reader, signal) {
    const decoder = new TextDecoder();
    let buffer = '';
    while (!signal.aborted) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message', data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        if (data) onEvent(event, JSON.parse(data));
      }
    }
  }

  let fleetTimer = null, alarmsTimer = null;
  function onEvent(event, data) {
    if (event === 'device') {
      const before = state.devices.get(data.id);
      if (before && (before.modelVersion !== data.modelVersion || before.modelState !== data.modelState)) rolloutsSoon();
      state.devices.set(data.id, data);
      if (!fleetTimer) fleetTimer = setTimeout(() => { fleetTimer = null; renderFleet(); }, 250);
    } else if (event === 'alarm') {
      state.alarms.set(data.id, data);
      if (!alarmsTimer) alarmsTimer = setTimeout(() => { alarmsTimer = null; renderAlarms(); if (state.selected === data.deviceId) drawChart(); }, 250);
    } else if (event === 'verdict') {
      if (data.deviceId === state.selected) readingsSoon();
    } else if (event === 'ping') {
      state.dropped = data.dropped;
      $('live').title = 'live updates from the hub' + (data.dropped ? ' (' + data.dropped + ' events dropped: reload to catch up)' : '');
    } else if (event === 'revoked') {
      showLogin('The hub revoked this token.');
    }
  }

  function setLive(s) {
    $('live').dataset.state = s;
    $('live').textContent = s === 'open' ? 'live' : s === 'retrying' ? 'reconnecting…' : 'offline';
  }

  // ---- helpers ----------------------------------------------------------------------------------
  function el(tag, attrs = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'style') e.style.cssText = v; else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }

  function button(label, onClick) {
    const b = el('button', { class: 'ack', type: 'button' }, label);
    b.addEventListener('click', (ev) => { ev.stopPropagation(); b.disabled = true; onClick(); });
    return b;
  }

  function short(v) { return v ? (v.length > 14 ? v.slice(0, 12) + '…' : v) : '–'; }
  function pct(x) { return x === null || x === undefined ? '–' : (100 * x).toFixed(1) + ' %'; }
  function when(iso) { return iso ? new Date(iso).toLocaleTimeString() : '–'; }
  function ago(iso) {
    if (!iso) return '–';
    const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    return s < 90 ? s + ' s ago' : s < 5400 ? Math.round(s / 60) + ' min ago' : new Date(iso).toLocaleString();
  }
  function report(e) {
    if (e instanceof Unauthorized) { showLogin('The hub no longer accepts this token.'); return; }
    console.warn('tandem console: ' + (e && e.message ? e.message : e));
  }

  setInterval(() => {
    for (const td of document.querySelectorAll('td.ago')) td.textContent = ago(td.dataset.at);
  }, 5000);

  $('login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    login($('token').value.trim());
  });
  $('logout').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    state.token = null;
    showLogin('');
  });

  // a token handed over in the address's fragment (never sent to the hub): taken, and removed from the address
  // (#token=...), and a device to open (#device=SITE:DEVICE)
  const fragment = new URLSearchParams(location.hash.slice(1));
  const handed = fragment.get('token');
  if (handed) {
    history.replaceState(null, '', location.pathname + location.search);
    state.token = handed;
  }
  state.opening = fragment.get('device');
  if (state.token) login(state.token); else showLogin('');
})();
