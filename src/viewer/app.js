/* strata view — the page's program (src/viewer/app.js). Plain JavaScript, no library: the
 * data is the index `strata view` writes (tracks, tile summaries, long slices, names, call
 * trees, the `strata tasks --json` table) and tiles of slices and markers that are parsed
 * (inline) or loaded (data/tile-N.js) only when the view is zoomed into them. docs/UI.md. */
'use strict';

const S_FUNC = 0, S_RUN = 1, S_SBI = 2, S_SYS = 3, S_POLL = 4, S_TRAPF = 5;
const M_EXC = 0, M_IRQ = 1, M_WAKE = 2, M_MARK = 3;
const SLICE_KINDS = ['function', 'run', 'SBI call', 'syscall', 'poll', 'trap handler'];
const MARK_KINDS = ['exception', 'interrupt', 'wake', 'mark'];
const ROW_H = 14, LABEL_W = 190, AXIS_H = 20, TRACK_GAP = 4;
/* Draw real slices when the view touches at most this many tiles; summaries otherwise. */
const MAX_TILES = 8;

let D = null;           /* the index */
const tiles = [];       /* i -> {s: Int32-ish array, m: array} once loaded */
const pending = {};     /* i -> true while a script load runs */
let view = {t0: 0, t1: 1};
let layout = [];        /* per drawn track: {tr, y, h} */
let hits = [];          /* clickable boxes of the last frame */

function $(id) { return document.getElementById(id); }
function esc(s) {
	return String(s).replace(/[&<>"]/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]));
}
function fmtT(t) {
	const unit = D.meta.clock === 'ns' ? 'ns' : 'insn';
	const a = Math.abs(t);
	if (a >= 1e9) return (t / 1e9).toFixed(3) + ' G' + unit;
	if (a >= 1e6) return (t / 1e6).toFixed(3) + ' M' + unit;
	if (a >= 1e3) return (t / 1e3).toFixed(2) + ' k' + unit;
	return t + ' ' + unit;
}
function hex(v) { return '0x' + (v < 0 ? (BigInt(v) + (1n << 64n)) : BigInt(v)).toString(16); }

/* ---- tiles ---- */

/* Called by data/tile-N.js (directory output). */
/* Tiles store times (and a run's pc) as differences to the previous slice's (collect.c). */
function decodeTile(t) {
	let t0 = 0, pc = 0, mt = 0;
	for (let k = 0; k < t.s.length; k += 7) {
		t0 = t.s[k + 2] += t0;
		if (t.s[k + 5] === S_RUN) pc = t.s[k + 6] += pc;
	}
	for (let k = 0; k < t.m.length; k += 5) mt = t.m[k + 1] += mt;
	return t;
}

window.strataTile = function (i, t) {
	tiles[i] = decodeTile(t);
	delete pending[i];
	draw();
};

function loadTile(i) {
	if (tiles[i] || pending[i]) return;
	const el = $('tile-' + i);
	if (el) { tiles[i] = decodeTile(JSON.parse(el.textContent)); return; }
	pending[i] = true;
	const s = document.createElement('script');
	s.src = 'data/tile-' + i + '.js';
	s.onerror = () => { delete pending[i]; tiles[i] = {s: [], m: [], missing: true}; warn('tile ' + i + ' (data/tile-' + i + '.js) could not be loaded'); draw(); };
	document.body.appendChild(s);
}

/* Every tile, for the tests and the task counts: a Promise. */
function loadAll() {
	for (let i = 0; i < D.tiles.length; i++) loadTile(i);
	return new Promise(res => {
		const check = () => Object.keys(pending).length ? setTimeout(check, 20) : res();
		check();
	});
}

function visibleTiles() {
	const out = [];
	D.tiles.forEach((t, i) => { if (t.t1 >= view.t0 && t.t0 <= view.t1) out.push(i); });
	return out;
}

/* ---- time line ---- */

function trackRows(tr) { return tr.kind === 'task' ? 1 : Math.max(1, tr.rows); }

function doLayout() {
	layout = [];
	let y = AXIS_H;
	for (const tr of D.tracks) {
		const h = trackRows(tr) * ROW_H + TRACK_GAP;
		layout.push({tr, y, h});
		y += h;
	}
	return y;
}

function xOf(t, w) { return LABEL_W + (t - view.t0) / (view.t1 - view.t0) * (w - LABEL_W); }
function tOf(x, w) { return view.t0 + (x - LABEL_W) / (w - LABEL_W) * (view.t1 - view.t0); }

const palette = ['#4e79a7', '#59a14f', '#9c755f', '#f28e2b', '#edc948', '#76b7b2', '#b07aa1', '#ff9da7', '#e15759', '#bab0ac'];
function colorOf(name, kind) {
	if (kind === S_RUN) return '#90a4ae';
	if (kind === S_SBI) return '#8e24aa';
	if (kind === S_SYS) return '#00897b';
	if (kind === S_TRAPF) return '#e53935';
	let h = 0;
	for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
	return palette[h % palette.length];
}

function rowOf(tr, row) {
	/* hart tracks: row 0 runs, 1 SBI calls/syscalls, 2.. call depth; tasks: one row */
	return tr.kind === 'task' ? 0 : row;
}

function drawSlice(ctx, w, L, a, k) {
	const tr = L.tr, t0 = a[k + 2], dur = a[k + 3], kind = a[k + 5];
	if (t0 > view.t1 || t0 + dur < view.t0) return;
	let x0 = xOf(t0, w), x1 = xOf(t0 + dur, w);
	if (x1 < LABEL_W) return;
	x0 = Math.max(x0, LABEL_W);
	const y = L.y + rowOf(tr, a[k + 1]) * ROW_H;
	const name = D.names[a[k + 4]];
	const wd = Math.max(1, x1 - x0);
	ctx.fillStyle = kind === S_POLL ? (a[k + 6] === 0 ? '#43a047' : a[k + 6] === 1 ? '#fb8c00' : '#9e9e9e') : colorOf(name, kind);
	ctx.fillRect(x0, y + 1, wd, ROW_H - 2);
	if (wd > 30) {
		ctx.fillStyle = '#fff';
		ctx.save();
		ctx.beginPath(); ctx.rect(x0, y, wd, ROW_H); ctx.clip();
		ctx.fillText(name, x0 + 2, y + ROW_H - 3);
		ctx.restore();
	}
	hits.push({x0, x1: x0 + wd, y0: y, y1: y + ROW_H, what: 'slice', a, k, tr});
}

function drawMarker(ctx, w, L, m, k, wakes) {
	const t = m[k + 1], kind = m[k + 3];
	if (t < view.t0 || t > view.t1) return;
	const x = xOf(t, w), y = L.y;
	ctx.fillStyle = kind === M_IRQ ? '#d81b60' : kind === M_EXC ? '#e65100' : kind === M_WAKE ? '#1e88e5' : '#000';
	ctx.beginPath(); ctx.moveTo(x - 4, y); ctx.lineTo(x + 4, y); ctx.lineTo(x, y + 7); ctx.fill();
	hits.push({x0: x - 4, x1: x + 4, y0: y, y1: y + 8, what: 'marker', m, k, tr: L.tr});
	if (kind === M_WAKE && m[k + 4] >= 0) wakes.push({t, y, to: m[k + 4]});
}

function taskLayout(task) { return layout.find(L => L.tr.kind === 'task' && L.tr.task === task); }

/* A wake points at the first poll of its task that starts at or after it. */
function nextPoll(task, t) {
	const L = taskLayout(task);
	if (!L) return null;
	let best = null;
	const scan = a => {
		for (let k = 0; k < a.length; k += 7)
			if (a[k] === L.tr.id && a[k + 5] === S_POLL && a[k + 2] >= t && (best === null || a[k + 2] < best)) best = a[k + 2];
	};
	scan(D.long);
	tiles.forEach(tl => tl && scan(tl.s));
	return best === null ? null : {t: best, L};
}

function draw() {
	if (!D) return;
	const cv = $('tl'), wrap = $('tlwrap');
	const w = wrap.clientWidth, h = doLayout();
	const dpr = window.devicePixelRatio || 1;
	cv.width = w * dpr; cv.height = h * dpr;
	cv.style.width = w + 'px'; cv.style.height = h + 'px';
	const ctx = cv.getContext('2d');
	ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
	ctx.font = '11px sans-serif';
	ctx.clearRect(0, 0, w, h);
	hits = [];
	const byId = {};
	layout.forEach(L => { byId[L.tr.id] = L; });
	/* axis */
	ctx.fillStyle = '#eceff1'; ctx.fillRect(0, 0, w, AXIS_H);
	ctx.fillStyle = '#37474f';
	for (let i = 0; i <= 8; i++) {
		const t = view.t0 + (view.t1 - view.t0) * i / 8, x = xOf(t, w);
		ctx.fillRect(x, AXIS_H - 5, 1, 5);
		ctx.fillText(fmtT(Math.round(t)), Math.min(x + 2, w - 70), 12);
	}
	/* labels and lanes */
	layout.forEach((L, i) => {
		ctx.fillStyle = i % 2 ? '#f5f5f5' : '#fff';
		ctx.fillRect(0, L.y, w, L.h);
		ctx.fillStyle = '#263238';
		ctx.save(); ctx.beginPath(); ctx.rect(0, L.y, LABEL_W - 4, L.h); ctx.clip();
		ctx.fillText(L.tr.name, 4, L.y + 11);
		ctx.restore();
	});
	const vis = visibleTiles();
	const detailed = vis.length <= MAX_TILES;
	if (detailed) vis.forEach(loadTile);
	const wakes = [];
	if (detailed) {
		for (const i of vis) {
			const tl = tiles[i];
			if (!tl) continue;
			for (let k = 0; k < tl.s.length; k += 7) if (byId[tl.s[k]]) drawSlice(ctx, w, byId[tl.s[k]], tl.s, k);
			for (let k = 0; k < tl.m.length; k += 5) if (byId[tl.m[k]]) drawMarker(ctx, w, byId[tl.m[k]], tl.m, k, wakes);
		}
	} else {
		/* level of detail: each tile's per-track summary as a band whose darkness is its density */
		for (const i of vis) {
			for (const [id, n, t0, t1] of D.tiles[i].tracks) {
				const L = byId[id];
				if (!L) continue;
				const x0 = Math.max(LABEL_W, xOf(t0, w)), x1 = Math.min(w, xOf(t1, w));
				ctx.fillStyle = 'rgba(2,136,209,' + Math.min(0.85, 0.15 + Math.log10(1 + n) / 6) + ')';
				ctx.fillRect(x0, L.y + 1, Math.max(1, x1 - x0), L.h - TRACK_GAP - 2);
			}
		}
	}
	/* long slices at every level of detail, over the summaries */
	for (let k = 0; k < D.long.length; k += 7) if (byId[D.long[k]]) drawSlice(ctx, w, byId[D.long[k]], D.long, k);
	/* wake arrows: from the waking hart to the poll the wake leads to */
	ctx.strokeStyle = '#1e88e5';
	let arrows = 0;
	for (const wk of wakes) {
		const p = nextPoll(wk.to, wk.t);
		if (!p) continue;
		arrows++;
		const x0 = xOf(wk.t, w), x1 = xOf(p.t, w), y1 = p.L.y + ROW_H / 2;
		ctx.beginPath(); ctx.moveTo(x0, wk.y + 7); ctx.lineTo(x1, y1); ctx.stroke();
		ctx.beginPath(); ctx.moveTo(x1, y1); ctx.lineTo(x1 - 5, y1 - 4); ctx.lineTo(x1 - 5, y1 + 4); ctx.fill();
	}
	$('range').textContent = fmtT(Math.round(view.t0)) + ' .. ' + fmtT(Math.round(view.t1)) +
		' (' + vis.length + ' of ' + D.tiles.length + ' tiles' + (detailed ? ', detail' : ', summary') + ')';
	window.strataFrames = (window.strataFrames || 0) + 1;
	window.strataArrows = arrows;
}

function srcLines(name) {
	const s = D.src && D.src[name];
	if (!s) return '';
	return '\n<div class="src">' + esc(s.file + ':' + s.line) + '\n' + esc(s.text) + '</div>';
}

function showHit(hit) {
	const el = $('details');
	if (!hit) { el.textContent = 'Nothing here.'; return; }
	if (hit.what === 'slice') {
		const a = hit.a, k = hit.k, kind = a[k + 5], name = D.names[a[k + 4]];
		let s = esc(SLICE_KINDS[kind] + ': ' + name) + '\ntrack ' + esc(hit.tr.name) + '  start ' + fmtT(a[k + 2]) + '  duration ' + fmtT(a[k + 3]);
		if (kind === S_RUN) s += '\npc ' + hex(a[k + 6]);
		if ((kind === S_SBI || kind === S_SYS) && a[k + 6] >= 0) s += '\nreturned ' + esc(D.names[a[k + 6]]);
		if (kind === S_POLL) s += '\nresult ' + ['Ready', 'Pending', '?'][Math.min(2, a[k + 6])];
		if (kind === S_FUNC) s += srcLines(name);
		el.innerHTML = s;
	} else {
		const m = hit.m, k = hit.k;
		el.textContent = MARK_KINDS[m[k + 3]] + ': ' + D.names[m[k + 2]] + '\ntrack ' + hit.tr.name + '  at ' + fmtT(m[k + 1]);
	}
}

function zoom(f, cx) {
	const w = $('tlwrap').clientWidth;
	const tc = cx === undefined ? (view.t0 + view.t1) / 2 : tOf(cx, w);
	let span = (view.t1 - view.t0) * f;
	if (span < 4) span = 4;
	view.t0 = tc - (tc - view.t0) * span / (view.t1 - view.t0);
	view.t1 = view.t0 + span;
	draw();
}
function pan(f) { const d = (view.t1 - view.t0) * f; view.t0 += d; view.t1 += d; draw(); }
function whole() {
	const pad = Math.max(1, (D.tmax - D.tmin) * 0.01);
	view = {t0: D.tmin - pad, t1: D.tmax + pad};
}

function setupTimeline() {
	const cv = $('tl');
	let drag = null;
	cv.addEventListener('wheel', e => { e.preventDefault(); zoom(e.deltaY > 0 ? 1.25 : 0.8, e.offsetX); }, {passive: false});
	cv.addEventListener('mousedown', e => { drag = {x: e.offsetX, t0: view.t0, t1: view.t1, moved: false}; });
	window.addEventListener('mouseup', e => {
		if (drag && !drag.moved && e.target === cv) {
			const hit = hits.slice().reverse().find(h => e.offsetX >= h.x0 && e.offsetX <= h.x1 && e.offsetY >= h.y0 && e.offsetY <= h.y1);
			showHit(hit);
		}
		drag = null;
	});
	cv.addEventListener('mousemove', e => {
		if (!drag) return;
		const dx = e.offsetX - drag.x;
		if (Math.abs(dx) > 2) drag.moved = true;
		const w = $('tlwrap').clientWidth, dt = dx / (w - LABEL_W) * (drag.t1 - drag.t0);
		view.t0 = drag.t0 - dt; view.t1 = drag.t1 - dt;
		draw();
	});
	window.addEventListener('keydown', e => {
		if ($('timeline').hidden) return;
		const k = e.key.toLowerCase();
		if (k === 'w') zoom(0.8); else if (k === 's') zoom(1.25);
		else if (k === 'a') pan(-0.2); else if (k === 'd') pan(0.2);
		else if (k === '0') { whole(); draw(); }
	});
	window.addEventListener('resize', () => { draw(); drawFlame(); });
}

/* ---- flame graph (icicle: callers above callees), one per hart and level ---- */

let flame = {track: null, focus: null, boxes: []};

function flameTree(trackId) {
	/* D.flame: [parent, name, self, total, calls] per node; a root's parent is -1 - track */
	const F = D.flame, n = F.length / 5, kids = new Map(), roots = [];
	for (let i = 0; i < n; i++) {
		const p = F[i * 5];
		if (p < 0) { if (-1 - p === trackId) roots.push(i); }
		else { if (!kids.has(p)) kids.set(p, []); kids.get(p).push(i); }
	}
	const node = i => ({name: D.names[F[i * 5 + 1]], self: F[i * 5 + 2], total: F[i * 5 + 3], calls: F[i * 5 + 4], kids: (kids.get(i) || []).map(node)});
	const root = {name: 'all', self: 0, total: 0, calls: 0, kids: roots.map(node)};
	const sum = x => { x.value = x.self + x.kids.reduce((a, c) => a + sum(c), 0); return x.value; };
	sum(root);
	return root;
}

function drawFlame() {
	if (!D || $('flame').hidden) return;
	const sel = $('fltrack'), wrap = $('flwrap'), cv = $('fl');
	const id = +sel.value;
	if (flame.track !== id) { flame.track = id; flame.root = flameTree(id); flame.focus = flame.root; }
	const w = wrap.clientWidth, h = Math.max(200, wrap.clientHeight);
	const dpr = window.devicePixelRatio || 1;
	cv.width = w * dpr; cv.height = h * dpr; cv.style.width = w + 'px'; cv.style.height = h + 'px';
	const ctx = cv.getContext('2d');
	ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
	ctx.font = '11px sans-serif';
	ctx.clearRect(0, 0, w, h);
	flame.boxes = [];
	const rec = (x, depth, wd, node) => {
		if (wd < 0.5 || depth * 16 > h) return;
		ctx.fillStyle = node === flame.root ? '#78909c' : colorOf(node.name, S_FUNC);
		ctx.fillRect(x, depth * 16, Math.max(0.5, wd - 1), 15);
		if (wd > 40) {
			ctx.save(); ctx.beginPath(); ctx.rect(x, depth * 16, wd - 2, 16); ctx.clip();
			ctx.fillStyle = '#fff'; ctx.fillText(node.name, x + 2, depth * 16 + 12); ctx.restore();
		}
		flame.boxes.push({x0: x, x1: x + wd, y0: depth * 16, y1: depth * 16 + 16, node});
		let cx = x;
		for (const c of node.kids) {
			const cw = node.value ? wd * c.value / node.value : 0;
			rec(cx, depth + 1, cw, c);
			cx += cw;
		}
	};
	rec(0, 0, w, flame.focus);
	window.strataFlameRects = flame.boxes.length;
	/* for the tests: where the boxes are, and whether the page has the function's source */
	window.strataFlameBoxes = () => flame.boxes.map(b => ({x0: b.x0, x1: b.x1, y0: b.y0, y1: b.y1, name: b.node.name, src: (D.src && D.src[b.node.name]) ? D.src[b.node.name].file || "?" : ""}));
}

function setupFlame() {
	const sel = $('fltrack');
	D.tracks.filter(t => t.kind === 'hart').forEach(t => {
		const o = document.createElement('option');
		o.value = t.id; o.textContent = t.name;
		sel.appendChild(o);
	});
	sel.addEventListener('change', () => drawFlame());
	$('fl').addEventListener('click', e => {
		const b = flame.boxes.find(b => e.offsetX >= b.x0 && e.offsetX < b.x1 && e.offsetY >= b.y0 && e.offsetY < b.y1);
		if (!b) return;
		flame.focus = b.node === flame.focus ? flame.root : b.node;
		const n = b.node;
		$('fldetails').innerHTML = esc(n.name + '\nself ' + n.self + '  total ' + n.value + '  calls ' + n.calls + ' (instructions)') + srcLines(n.name);
		drawFlame();
	});
}

/* ---- tasks ---- */

function setupTasks() {
	const T = D.tasks;
	const head = $('tasktable').querySelector('thead'), body = $('tasktable').querySelector('tbody');
	if (!T) { head.innerHTML = '<tr><th class="l">This trace has no async events (record with --trace=async).</th></tr>'; return; }
	const unit = T.unit === 'ns' ? 'ns' : 'insns';
	head.innerHTML = '<tr><th>task</th><th>polls</th><th>pending</th><th>ready</th><th>busy (' + unit + ')</th><th>first poll</th><th>last poll</th><th class="l">state</th><th class="l">future</th></tr>';
	T.tasks.forEach(t => {
		const tr = document.createElement('tr');
		tr.innerHTML = [t.id, t.polls, t.pending, t.ready, t.busy_insns, t.first_poll, t.last_poll].map(v => '<td>' + v + '</td>').join('') +
			'<td class="l">' + esc(t.final_state) + '</td><td class="l">' + esc(t.future) + '</td>';
		tr.addEventListener('click', () => {
			body.querySelectorAll('tr').forEach(r => r.classList.remove('sel'));
			tr.classList.add('sel');
			showTask(t);
		});
		body.appendChild(tr);
	});
}

function treeText(n, depth) {
	return '  '.repeat(depth) + n.future + '  ' + n.polls + ' poll' + (n.polls === 1 ? '' : 's') + '\n' + n.children.map(c => treeText(c, depth + 1)).join('');
}

function showTask(t) {
	const T = D.tasks;
	let s = '<b>task ' + t.id + ': ' + esc(t.future) + '</b> at ' + hex(t.addr) + '\n\nawait tree:\n' + esc(treeText(t.tree, 1));
	s += '\npolls:\n' + t.transitions.map(x => '  ' + esc(x.from + ' -> ' + x.to + '  ' + x.result + (x.at ? ' at ' + x.at : '') + (x.count > 1 ? '  x' + x.count : ''))).join('\n');
	s += '\n\nwoken by:\n' + (T.wakes.filter(w => w.to === t.id).map(w => '  ' + esc(w.from) + '  x' + w.count).join('\n') || '  -');
	s += '\nwaker clones ' + t.waker_clones + ', drops ' + t.waker_drops;
	const aps = T.await_points.filter(p => p.future === t.future);
	if (aps.length) s += '\n\nawait points (' + T.unit + ' from going Pending to the next poll):';
	for (const p of aps) {
		s += '\n  ' + esc(p.state + (p.at ? ' at ' + p.at : '')) + ': n=' + p.n + ' min=' + p.min + ' max=' + p.max;
		const top = Math.max(...p.histogram.map(h => h[1]));
		for (const [lo, n] of p.histogram)
			s += '\n    [' + lo + ', ' + (lo ? 2 * lo : 2) + ')  <span class="hist" style="width:' + Math.max(2, 200 * n / top) + 'px"></span> ' + n;
	}
	$('taskdetails').innerHTML = s;
}

/* ---- screen: the frame buffer of a -machine nemu run: the last frame its --fb-out saved, or
 * with a %d in the name up to 64 of its numbered frames, chosen with a slider ---- */

function drawFrame(fb, i) {
	const rgb = atob(fb.frames[i].rgb);
	if (rgb.length !== fb.w * fb.h * 3) throw new Error(rgb.length + ' bytes for ' + fb.w + 'x' + fb.h);
	const ctx = $('fbc').getContext('2d'), img = ctx.createImageData(fb.w, fb.h);
	for (let k = 0, j = 0; k < rgb.length; k += 3, j += 4) {
		img.data[j] = rgb.charCodeAt(k);
		img.data[j + 1] = rgb.charCodeAt(k + 1);
		img.data[j + 2] = rgb.charCodeAt(k + 2);
		img.data[j + 3] = 255;
	}
	ctx.putImageData(img, 0, 0);
	$('fbframe').textContent = fb.total > 1 ? 'frame ' + fb.frames[i].n + ' (' + (i + 1) + ' of the ' +
		fb.frames.length + ' shown, ' + fb.total + ' saved)' : '';
}

function setupScreen() {
	const el = $('fb');
	if (!el) return;
	let fb;
	try {
		fb = JSON.parse(el.textContent);
		if (!fb.frames.length) throw new Error('no frame');
		const c = $('fbc');
		c.width = fb.w;
		c.height = fb.h;
		/* twice the size when it fits: NEMU's 400x300 is small on today's screens */
		const k = Math.max(1, Math.min(2, Math.floor((window.innerWidth - 40) / fb.w)));
		c.style.width = fb.w * k + 'px';
		c.style.height = fb.h * k + 'px';
		drawFrame(fb, fb.frames.length - 1);
	} catch (e) {
		warn('The frame buffer is damaged (' + e.message + ').');
		return;
	}
	$('fbinfo').textContent = 'Frame buffer ' + fb.w + '\u00d7' + fb.h + (fb.total > 1 ?
		', frames over time saved by the run: ' : ', the last frame the run saved: ') + fb.path;
	const slider = $('fbslider');
	if (fb.frames.length > 1) {
		slider.max = fb.frames.length - 1;
		slider.value = fb.frames.length - 1;
		slider.hidden = false;
		slider.addEventListener('input', () => drawFrame(fb, +slider.value));
	}
	document.querySelector('nav button[data-tab="screen"]').hidden = false;
	window.strataScreen = {w: fb.w, h: fb.h, path: fb.path, total: fb.total, frames: fb.frames.map(f => f.n)};
	/* for the tests: show the i-th frame of those embedded */
	window.strataShowFrame = function (i) { slider.value = i; drawFrame(fb, i); };
}

/* ---- page ---- */

function warn(msg) {
	const b = $('banner');
	b.hidden = false;
	b.textContent = (b.textContent ? b.textContent + ' \u2014 ' : '') + msg;
}

function setTab(name) {
	document.querySelectorAll('nav button').forEach(b => b.classList.toggle('on', b.dataset.tab === name));
	document.querySelectorAll('.tab').forEach(s => { s.hidden = s.id !== name; });
	if (name === 'timeline') draw(); else if (name === 'flame') drawFlame();
}

/* For the tests: show [t0, t1]; what the last frame drew, by slice kind. */
window.strataZoom = function (t0, t1) { view = {t0, t1}; draw(); };
window.strataDrawn = function () {
	const kinds = {};
	for (const h of hits) if (h.what === 'slice') { const k = SLICE_KINDS[h.a[h.k + 5]]; kinds[k] = (kinds[k] || 0) + 1; }
	return {detail: visibleTiles().length <= MAX_TILES, kinds, range: $('range').textContent};
};

/* For the tests: everything loaded, then what the page shows, counted. */
window.strataStats = function () {
	return loadAll().then(() => {
		const polls = {};
		const count = a => { for (let k = 0; k < a.length; k += 7) if (a[k + 5] === S_POLL) { const tr = D.tracks.find(t => t.id === a[k]); polls[tr.task] = (polls[tr.task] || 0) + 1; } };
		count(D.long);
		tiles.forEach(t => t && count(t.s));
		let run = null;
		tiles.forEach(t => { for (let k = 0; t && !run && k < t.s.length; k += 7) if (t.s[k + 5] === S_RUN) run = {t0: t.s[k + 2], dur: t.s[k + 3]}; });
		return {taskTracks: D.tracks.filter(t => t.kind === 'task').length, hartTracks: D.tracks.filter(t => t.kind === 'hart').length,
			polls, run, tiles: D.tiles.length, flameNodes: D.flame.length / 5, flameRects: window.strataFlameRects || 0, banner: $('banner').hidden ? '' : $('banner').textContent};
	});
};

function strataMain() {
	try {
		D = JSON.parse($('index').textContent);
	} catch (e) {
		document.body.insertAdjacentHTML('afterbegin', '<div id="banner">strata view: the page\'s data is damaged (' + esc(e.message) + ')</div>');
		return;
	}
	$('title').textContent = (D.meta.kernel || D.meta.bios || D.meta.command || '') + ' \u2014 ' + D.events + ' events, ' + D.slices + ' slices, ' + D.tracks.length + ' tracks';
	if (D.error) warn('The trace is corrupt: ' + D.error + '. Showing the ' + D.events + ' events before that.');
	if (D.truncated) warn('The trace is truncated (the run did not finish writing it). Showing the ' + D.events + ' events it holds.');
	if (!D.events) warn('The trace holds no events.');
	document.querySelectorAll('nav button').forEach(b => b.addEventListener('click', () => setTab(b.dataset.tab)));
	whole();
	setupTimeline();
	setupFlame();
	setupTasks();
	setupScreen();
	draw();
	window.strataReady = true;
}
