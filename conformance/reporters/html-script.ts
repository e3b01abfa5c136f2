/**
 * The report page's one script (plain ES2020, inlined; its SHA-256 is in the page's CSP).
 *
 * It never writes data as markup: every client string goes through `textContent` or an SVG
 * `<title>`'s text. Timelines are drawn on first open from their `<script
 * type="application/json">` block, so a full suite with `--repeat 5` opens quickly.
 */
export const HTML_SCRIPT = String.raw`
'use strict';
(function () {
  var SVG = 'http://www.w3.org/2000/svg';
  var LANES = ['connection', 'client', 'server', 'playback', 'app', 'runner'];
  var LANE_NAMES = {
    connection: 'connections',
    client: 'client → mock',
    server: 'mock → client',
    playback: 'playback',
    app: 'client app',
    runner: 'runner',
  };
  var drawn = {};

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    return e;
  }
  function fmt(ms) {
    return (Math.round(ms * 10) / 10).toFixed(1);
  }

  // Verdict table filters: a rule row shows when its status and its level are both checked.
  function applyFilters() {
    var on = {};
    document.querySelectorAll('input[data-filter]').forEach(function (i) {
      on[i.getAttribute('data-filter') + ':' + i.value] = i.checked;
    });
    var shown = 0;
    document.querySelectorAll('tr.rule').forEach(function (tr) {
      var show =
        on['status:' + tr.getAttribute('data-status')] !== false &&
        on['level:' + tr.getAttribute('data-level')] !== false;
      tr.hidden = !show;
      if (show) shown++;
    });
    var count = document.getElementById('rule-count');
    if (count) count.textContent = String(shown);
  }
  document.querySelectorAll('input[data-filter]').forEach(function (i) {
    i.addEventListener('change', applyFilters);
  });
  applyFilters();

  // Copy buttons: the Clipboard API when the page may use it, else a selected textarea.
  document.querySelectorAll('button.copy').forEach(function (b) {
    b.addEventListener('click', function () {
      var source = document.getElementById(b.getAttribute('data-copy'));
      var text = source ? source.textContent : '';
      function done(ok) {
        b.textContent = ok ? 'copied' : 'select and copy';
        b.setAttribute('data-copied', ok ? 'yes' : 'no');
        setTimeout(function () {
          b.textContent = 'copy';
        }, 2000);
      }
      function fallback() {
        var t = el('textarea', 'offscreen');
        t.value = text;
        document.body.appendChild(t);
        t.select();
        var ok = false;
        try {
          ok = document.execCommand('copy');
        } catch (e) {
          ok = false;
        }
        t.remove();
        done(ok);
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () {
          done(true);
        }, fallback);
      } else fallback();
    });
  });

  // Timelines: one per scenario run, drawn when its <details> first opens.
  function draw(details) {
    var key = details.getAttribute('data-run');
    if (drawn[key]) return drawn[key];
    var host = details.querySelector('.timeline');
    var block = document.getElementById('data-' + key);
    if (!host || !block) return null;
    var data = JSON.parse(block.textContent);
    var state = { rows: {}, marks: {}, host: host };
    drawn[key] = state;
    if (data.error) {
      host.appendChild(el('p', 'error', data.error));
      return state;
    }
    var width = 1000;
    var laneH = 22;
    var top = 18;
    var used = LANES.filter(function (l) {
      return data.rows.some(function (r) {
        return r.lane === l;
      });
    });
    var height = top + used.length * laneH + 6;
    var end = Math.max(data.endedAt, 1);
    var x0 = 110;
    function x(at) {
      return x0 + (Math.max(0, at) / end) * (width - x0 - 10);
    }
    var chart = svg('svg', {
      class: 'tl-chart',
      viewBox: '0 0 ' + width + ' ' + height,
      role: 'img',
      'aria-label': 'timeline',
    });
    for (var t = 0; t <= 5; t++) {
      var at = (end * t) / 5;
      chart.appendChild(svg('line', { class: 'grid', x1: x(at), x2: x(at), y1: 12, y2: height }));
      var label = svg('text', { class: 'tick', x: x(at), y: 10, 'text-anchor': t === 5 ? 'end' : 'middle' });
      label.textContent = Math.round(at) + (t === 5 ? ' ms' : '');
      chart.appendChild(label);
    }
    used.forEach(function (lane, i) {
      var name = svg('text', { class: 'lane', x: 4, y: top + i * laneH + 15 });
      name.textContent = LANE_NAMES[lane];
      chart.appendChild(name);
      chart.appendChild(
        svg('line', { class: 'lane-line', x1: x0, x2: width - 10, y1: top + i * laneH + 11, y2: top + i * laneH + 11 }),
      );
    });
    var table = el('table', 'tl-rows');
    var head = el('tr');
    ['ms', 'where', 'conn', 'what'].forEach(function (h) {
      head.appendChild(el('th', '', h));
    });
    table.appendChild(head);
    data.rows.forEach(function (r) {
      var y = top + used.indexOf(r.lane) * laneH;
      var mark;
      if (r.dur !== undefined) {
        mark = svg('rect', { class: 'mark bar t-' + r.tag, x: x(r.at), y: y + 5, width: Math.max(2, x(r.at + r.dur) - x(r.at)), height: 12 });
      } else {
        var big = r.tag !== 'audio' && r.tag !== 'other' && r.tag !== 'transcript';
        mark = svg('rect', { class: 'mark t-' + r.tag, x: x(r.at) - (big ? 2 : 0.75), y: y + (big ? 2 : 5), width: big ? 4 : 1.5, height: big ? 18 : 12 });
      }
      var title = svg('title', {});
      title.textContent = fmt(r.at) + ' ms  ' + r.label;
      mark.appendChild(title);
      mark.setAttribute('data-row', r.id);
      chart.appendChild(mark);
      state.marks[r.id] = mark;

      var tr = el('tr', 'row t-' + r.tag + (r.tag === 'audio' ? ' chunk' : ''));
      tr.id = key + '-' + r.id;
      tr.appendChild(el('td', 'num', fmt(r.at)));
      tr.appendChild(el('td', 'where', LANE_NAMES[r.lane]));
      tr.appendChild(el('td', 'num', r.conn === undefined ? '' : r.conn));
      var what = el('td', 'what');
      what.appendChild(el('span', 'rid', r.id));
      what.appendChild(el('span', 'label', r.label));
      if (r.violations) {
        var ul = el('ul', 'violations');
        r.violations.forEach(function (v) {
          ul.appendChild(el('li', '', v));
        });
        what.appendChild(ul);
      }
      if (r.detail !== undefined) {
        var pre = el('pre', 'detail', r.detail);
        pre.hidden = true;
        what.appendChild(pre);
        tr.addEventListener('click', function () {
          pre.hidden = !pre.hidden;
        });
        tr.classList.add('has-detail');
      }
      tr.appendChild(what);
      table.appendChild(tr);
      state.rows[r.id] = tr;
    });
    chart.addEventListener('click', function (ev) {
      var id = ev.target && ev.target.getAttribute && ev.target.getAttribute('data-row');
      if (id) highlight(state, id);
    });
    var toolbar = el('div', 'tl-toolbar');
    var lab = el('label');
    var box = el('input');
    box.type = 'checkbox';
    box.className = 'show-chunks';
    box.addEventListener('change', function () {
      host.classList.toggle('chunks', box.checked);
    });
    lab.appendChild(box);
    lab.appendChild(document.createTextNode(' show audio chunks'));
    toolbar.appendChild(lab);
    toolbar.appendChild(el('span', 'muted', data.rows.length + ' rows; click a row for its message, a mark for its row'));
    host.appendChild(chart);
    host.appendChild(toolbar);
    var scroller = el('div', 'tl-scroll');
    scroller.appendChild(table);
    host.appendChild(scroller);
    if (data.log && data.log.length) {
      var d = el('details', 'log');
      d.appendChild(el('summary', '', 'client stderr (' + data.log.length + ' lines)'));
      d.appendChild(el('pre', '', data.log.join('\n')));
      host.appendChild(d);
    }
    state.data = data;
    return state;
  }

  function highlight(state, id) {
    var tr = state.rows[id];
    if (!tr) return false;
    document.querySelectorAll('.hl').forEach(function (e) {
      e.classList.remove('hl');
    });
    tr.classList.add('hl', 'pinned');
    var mark = state.marks[id];
    if (mark) mark.classList.add('hl');
    var pre = tr.querySelector('pre.detail');
    if (pre) pre.hidden = false;
    tr.scrollIntoView({ block: 'center' });
    return true;
  }

  function openRun(key) {
    var details = document.querySelector('details.run[data-run="' + key + '"]');
    if (!details) return null;
    details.open = true;
    var s = details.closest('details.scenario');
    if (s) s.open = true;
    return draw(details);
  }

  function goTo(key, row, at) {
    var state = openRun(key);
    if (!state) return;
    if (!row && at !== null && state.data) {
      var near = state.data.rows.find(function (r) {
        return r.at >= at;
      });
      row = near ? near.id : null;
    }
    if (!row || !highlight(state, row)) state.host.scrollIntoView({ block: 'start' });
  }

  document.querySelectorAll('details.run').forEach(function (d) {
    d.addEventListener('toggle', function () {
      if (d.open) draw(d);
    });
  });
  document.addEventListener('click', function (ev) {
    var a = ev.target && ev.target.closest ? ev.target.closest('a.ev, a.runlink') : null;
    if (!a) return;
    ev.preventDefault();
    var at = a.getAttribute('data-at');
    goTo(a.getAttribute('data-run'), a.getAttribute('data-row'), at === null ? null : Number(at));
    history.replaceState(null, '', a.getAttribute('href'));
  });
  var m = /^#(r\d+)(?:-(\w+))?$/.exec(location.hash);
  if (m) goTo(m[1], m[2] || null, null);
  document.documentElement.setAttribute('data-ready', 'yes');
})();
`;
