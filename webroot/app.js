/* OCPP Core management UI: progressive enhancement only (every page works without it).
 * - times in the browser's time zone and language, the zone sent with date filters and exports
 * - confirmation of destructive forms
 * - live tiles and connection states from the server-sent event stream /ui/events */
(function () {
  'use strict';
  var lang = document.documentElement.lang || 'en';
  var msgs = {};
  try { msgs = JSON.parse(document.body.getAttribute('data-i18n') || '{}'); } catch (e) { msgs = {}; }
  function tr(key, fallback) { return Object.prototype.hasOwnProperty.call(msgs, key) ? msgs[key] : (fallback || key); }
  var zone = 'UTC';
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch (e) { /* old browser */ }

  // ------------------------------------------------------------ times, zones, forms
  var formats = {
    datetime: { dateStyle: 'medium', timeStyle: 'short' },
    seconds: { dateStyle: 'short', timeStyle: 'medium' },
    date: { dateStyle: 'medium' },
    time: { timeStyle: 'medium' },
    hm: { hour: '2-digit', minute: '2-digit' }
  };
  function formatTime(date, kind) {
    try { return new Intl.DateTimeFormat(lang, formats[kind] || formats.datetime).format(date); } catch (e) { return date.toISOString(); }
  }
  function localizeTimes(root) {
    root.querySelectorAll('time[datetime]').forEach(function (el) {
      var d = new Date(el.getAttribute('datetime'));
      if (isNaN(d.getTime())) { return; }
      el.textContent = formatTime(d, el.getAttribute('data-format'));
      el.setAttribute('title', d.toISOString());
    });
    root.querySelectorAll('text[data-time]').forEach(function (el) {
      var d = new Date(el.getAttribute('data-time'));
      if (!isNaN(d.getTime())) { el.textContent = formatTime(d, 'hm'); }
    });
  }
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function localDay(d) { return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()); }

  localizeTimes(document);
  document.querySelectorAll('input.tz').forEach(function (i) { i.value = zone; });
  document.querySelectorAll('a[data-tz]').forEach(function (a) {
    var u = new URL(a.getAttribute('href'), location.href);
    u.searchParams.set('tz', zone);
    a.setAttribute('href', u.pathname + u.search);
  });
  // an expiry instant shown as the last day it covers, in this zone
  document.querySelectorAll('input[type=date][data-instant]').forEach(function (i) {
    var d = new Date(new Date(i.getAttribute('data-instant')).getTime() - 1);
    if (!isNaN(d.getTime())) { i.value = localDay(d); }
  });
  document.addEventListener('submit', function (e) {
    var f = e.target;
    var question = f && f.getAttribute && f.getAttribute('data-confirm');
    if (question && !window.confirm(question)) { e.preventDefault(); }
  }, true);
  document.querySelectorAll('select[data-autosubmit]').forEach(function (s) {
    s.addEventListener('change', function () {
      if (s.name === 'cp' && s.form.elements.connector) { s.form.elements.connector.value = ''; }
      s.form.submit();
    });
  });

  // ------------------------------------------------------------ live updates
  var tiles = document.getElementById('tiles');
  var liveState = document.getElementById('live-state');
  if (!window.EventSource || !(tiles || document.querySelector('[data-cp-online]'))) { return; }

  function number(v, digits) {
    return new Intl.NumberFormat(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v);
  }
  function sel(cp) { return '[data-cp="' + (window.CSS && CSS.escape ? CSS.escape(cp) : cp) + '"]'; }
  function summary(s) {
    return s === 'Available' ? 'available' : s === 'Unavailable' ? 'unavailable' : s === 'Faulted' ? 'faulted' : 'occupied';
  }
  function part(t, role) { return t.querySelector('[data-role="' + role + '"]'); }

  function rename(cp) {
    var list = tiles.querySelectorAll('.tile' + sel(cp));
    list.forEach(function (t) {
      var custom = t.getAttribute('data-custom-name');
      var cpName = t.getAttribute('data-cp-name');
      t.querySelector('.tile-name').textContent = custom || (list.length <= 1 ? cpName : cpName + ':' + t.getAttribute('data-connector'));
    });
  }

  /** The tile of a connector; a connector reported for the first time takes over the charge point's placeholder or gets a new tile. */
  function tileFor(cp, connector) {
    if (!tiles) { return null; }
    var t = tiles.querySelector('.tile' + sel(cp) + '[data-connector="' + connector + '"]');
    if (t) { return t; }
    var placeholder = tiles.querySelector('.tile' + sel(cp) + '[data-placeholder="true"]');
    if (connector === 0) { return placeholder; }
    if (placeholder) {
      placeholder.setAttribute('data-connector', String(connector));
      placeholder.setAttribute('data-placeholder', 'false');
      placeholder.setAttribute('href', '/transactions?cp=' + encodeURIComponent(cp) + '&connector=' + connector);
      rename(cp);
      return placeholder;
    }
    var siblings = tiles.querySelectorAll('.tile' + sel(cp));
    var template = document.getElementById('tile-template');
    if (!siblings.length || !template) { return null; } // a charge point this page does not know: shown on the next load
    var last = siblings[siblings.length - 1];
    t = template.content.firstElementChild.cloneNode(true);
    t.setAttribute('data-cp', cp);
    t.setAttribute('data-cp-name', last.getAttribute('data-cp-name'));
    t.setAttribute('data-connector', String(connector));
    t.setAttribute('href', '/transactions?cp=' + encodeURIComponent(cp) + '&connector=' + connector);
    setOnline(t, last.getAttribute('data-online') === 'true');
    var before = null;
    siblings.forEach(function (s) { if (!before && Number(s.getAttribute('data-connector')) > connector) { before = s; } });
    last.parentNode.insertBefore(t, before || last.nextSibling);
    rename(cp);
    return t;
  }

  function setOnline(t, online) {
    t.setAttribute('data-online', String(online));
    t.classList.toggle('offline', !online);
    part(t, 'online').textContent = tr(online ? 'js.online' : 'js.offline');
  }
  function setStatus(t, status) {
    ['available', 'occupied', 'faulted', 'unavailable', 'unknown'].forEach(function (c) { t.classList.remove('st-' + c); });
    t.classList.add('st-' + summary(status));
    var el = part(t, 'status');
    el.setAttribute('data-status', status);
    el.textContent = tr('status.' + status, status);
  }
  function renderDurations() {
    if (!tiles) { return; }
    tiles.querySelectorAll('.tile[data-tx-start]').forEach(function (t) {
      var start = t.getAttribute('data-tx-start');
      var span = part(t, 'duration');
      if (!start || !span) { return; }
      var minutes = Math.max(0, Math.floor((Date.now() - new Date(start).getTime()) / 60000));
      span.textContent = tr('js.duration').replace('{h}', String(Math.floor(minutes / 60))).replace('{m}', String(minutes % 60));
    });
  }
  function chargingBody(t) {
    var body = part(t, 'body');
    body.textContent = tr('js.tile.charging') + ' ';
    var span = document.createElement('span');
    span.setAttribute('data-role', 'duration');
    body.appendChild(span);
    renderDurations();
  }

  function onConnection(d) {
    document.querySelectorAll('[data-cp-online]').forEach(function (el) {
      if (el.getAttribute('data-cp-online') !== d.chargePointId) { return; }
      el.classList.toggle('conn-on', !!d.connected);
      el.classList.toggle('conn-off', !d.connected);
      el.textContent = tr(d.connected ? 'js.online' : 'js.offline');
    });
    if (tiles) { tiles.querySelectorAll('.tile' + sel(d.chargePointId)).forEach(function (t) { setOnline(t, !!d.connected); }); }
  }
  function onStatus(d) {
    var t = tileFor(d.chargePointId, Number(d.connectorId) || 0);
    if (t) { setStatus(t, d.status); }
  }
  function onTransaction(d) {
    var t = tileFor(d.chargePointId, Number(d.connectorId) || 0);
    if (!t) { return; }
    if (d.event === 'started' || (d.event === 'updated' && !t.getAttribute('data-tx-start'))) {
      t.setAttribute('data-tx-start', new Date().toISOString());
      t.setAttribute('data-tx-meter-start', d.meterStartWh == null ? '' : String(d.meterStartWh));
      chargingBody(t);
    } else if (d.event === 'stopped' || d.event === 'ended') {
      var start = parseFloat(t.getAttribute('data-tx-meter-start'));
      var stop = d.meterStopWh;
      t.setAttribute('data-tx-start', '');
      part(t, 'body').textContent = (stop != null && !isNaN(start))
        ? tr('js.tile.lastEnergy') + ' ' + number((stop - start) / 1000, 2) + ' kWh' : '–';
      part(t, 'power').textContent = '';
      part(t, 'soc').textContent = '';
    }
  }
  function onMeter(d) {
    var t = tileFor(d.chargePointId, Number(d.connectorId) || 0);
    if (!t) { return; }
    if (d.powerKw != null) { part(t, 'power').textContent = number(d.powerKw, 1) + ' kW'; }
    if (d.energyKwh != null) { part(t, 'energy').textContent = number(d.energyKwh, 2) + ' kWh'; }
    if (d.soc != null) { part(t, 'soc').textContent = number(d.soc, 0) + ' %'; }
  }

  function state(s) {
    if (!liveState) { return; }
    liveState.setAttribute('data-state', s);
    liveState.textContent = tr(s === 'on' ? 'js.live.on' : s === 'reconnecting' ? 'js.live.reconnecting' : 'js.live.off');
  }
  var handlers = { connection: onConnection, status: onStatus, transaction: onTransaction, meter: onMeter };
  var source = new EventSource('/ui/events');
  source.addEventListener('hello', function () { state('on'); });
  Object.keys(handlers).forEach(function (kind) {
    source.addEventListener(kind, function (e) {
      try { handlers[kind](JSON.parse(e.data)); } catch (err) { if (window.console) { console.warn(kind, err); } }
    });
  });
  source.onerror = function () { state(source.readyState === EventSource.CLOSED ? 'off' : 'reconnecting'); };
  window.addEventListener('pagehide', function () { source.close(); });
  renderDurations();
  setInterval(renderDurations, 30000);
}());
