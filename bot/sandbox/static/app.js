// Alliance sandbox: a small "Slack in the browser" for the local sandbox server.
//
// Layout of this file:
//   1. helpers (DOM building, ids, urls)
//   2. text: emoji shortcodes, Slack mrkdwn, plain_text, rich_text
//   3. form state (Slack's view.state.values) and actions sent back to the server
//   4. Block Kit: one function per block type and per element type, two dispatch tables
//   5. messages, sidebar, home, modal, confirm dialog, overflow menu
//   6. server API: long-poll loop and POST /sandbox/act
//   7. wiring of the static controls (clock, person switcher, composer)
//
// The DOM is always built with createElement / textContent: texts and names come from
// people and may contain HTML, so nothing user-supplied ever goes through innerHTML.

'use strict';

(() => {
  const BOT_USER = 'UBOT';
  const BOT_NAME = 'Alliance';

  // ---------------------------------------------------------------- app state

  let state = null;            // last answer of GET /sandbox/state
  let me = null;               // the person currently selected
  let after = -1;              // version for the next long-poll
  let currentChannel = null;   // channel id, or 'home'
  let peopleById = new Map();
  let channelsById = new Map();
  let dirSig = '';             // changes when people or channels change (names in mentions)
  let clockPending = false;
  let lastClockDate = null;
  let stickToBottom = true;    // conversation scrolled to the bottom
  const pendingViews = new Set();  // view ids with a submit/close in flight
  const rendered = { sidebar: '', conversation: '', convChannel: '', home: '', modal: '', people: '' };

  // ---------------------------------------------------------------- 1. helpers

  const $ = (selector, root = document) => root.querySelector(selector);

  /** createElement with attributes ('class', 'text', on<event> handlers, others as attributes). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key === 'text') el.textContent = value;
      else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? '' : String(value));
    }
    appendAll(el, children);
    return el;
  }

  function appendAll(parent, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }

  /** replaceChildren that accepts nested arrays and skips null/false. */
  function setChildren(parent, ...children) {
    parent.replaceChildren();
    appendAll(parent, children);
  }

  let idCounter = 0;
  const nextId = (prefix) => `${prefix}-${++idCounter}`;

  const clone = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
  const actionTs = () => (Date.now() / 1000).toFixed(6);

  /** Links may only be http(s), mailto, tel or same-origin paths (no javascript: etc.). */
  function safeHref(url) {
    const value = String(url || '').trim();
    if (value.startsWith('/') && !value.startsWith('//')) return value;
    return /^(https?:|mailto:|tel:)/i.test(value) ? value : null;
  }

  /** The page must load nothing from outside this machine: only local images are fetched. */
  function isLocalUrl(url) {
    try {
      const parsed = new URL(String(url), location.href);
      if (parsed.protocol === 'data:') return /^data:image\//i.test(String(url));
      if (parsed.origin === location.origin) return true;
      return /^https?:$/.test(parsed.protocol) && ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
    } catch (err) {
      return false;
    }
  }

  function openUrl(url) {
    const href = safeHref(url);
    if (href) window.open(href, '_blank', 'noopener');
  }

  /** "HH:MM" in UTC for a Slack ts ("1799999999.000100"). */
  function formatTime(ts) {
    const date = new Date(parseFloat(ts) * 1000);
    if (Number.isNaN(date.getTime())) return '';
    const pad = (n) => String(n).padStart(2, '0');
    return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
  }

  function formatFullDate(ts) {
    const date = new Date(parseFloat(ts) * 1000);
    return Number.isNaN(date.getTime()) ? '' : date.toUTCString();
  }

  function personName(id) {
    if (id === BOT_USER) return BOT_NAME;
    const person = peopleById.get(id);
    return person ? (person.real_name || person.name || id) : null;
  }

  // ---------------------------------------------------------------- 2. text

  const EMOJI = {
    wave: '👋', warning: '⚠️', raising_hand: '🙋', hourglass_flowing_sand: '⏳', handshake: '🤝',
    tada: '🎉', white_check_mark: '✅', heavy_check_mark: '✔️', x: '❌', calendar: '📆', date: '📅',
    bell: '🔔', zzz: '💤', memo: '📝', pencil: '📝', bar_chart: '📊', chart_with_upwards_trend: '📈',
    chart_with_downwards_trend: '📉', bulb: '💡', rocket: '🚀', star: '⭐', star2: '🌟', sparkles: '✨',
    thumbsup: '👍', '+1': '👍', thumbsdown: '👎', '-1': '👎', eyes: '👀', lock: '🔒', unlock: '🔓',
    key: '🔑', mailbox: '📫', email: '📧', envelope: '✉️', incoming_envelope: '📨',
    inbox_tray: '📥', outbox_tray: '📤', busts_in_silhouette: '👥', bust_in_silhouette: '👤',
    speech_balloon: '💬', thought_balloon: '💭', mag: '🔍', clipboard: '📋', briefcase: '💼',
    seedling: '🌱', compass: '🧭', mortar_board: '🎓', moneybag: '💰', money_with_wings: '💸',
    dollar: '💵', euro: '💶', pound: '💷', credit_card: '💳', receipt: '🧾',
    hourglass: '⌛', alarm_clock: '⏰', stopwatch: '⏱️', timer_clock: '⏲️', clock9: '🕘',
    arrows_counterclockwise: '🔄', repeat: '🔁', link: '🔗', pushpin: '📌', round_pushpin: '📍',
    information_source: 'ℹ️', question: '❓', grey_question: '❔', exclamation: '❗',
    heavy_exclamation_mark: '❗', bangbang: '‼️', ok_hand: '👌', clap: '👏', pray: '🙏',
    raised_hands: '🙌', muscle: '💪', point_right: '👉', point_left: '👈', point_up: '☝️',
    point_down: '👇', heart: '❤️', smile: '😄', smiley: '😃', grinning: '😀', joy: '😂', wink: '😉',
    blush: '😊', slightly_smiling_face: '🙂', simple_smile: '🙂', slightly_frowning_face: '🙁',
    thinking_face: '🤔', neutral_face: '😐', confused: '😕', sunglasses: '😎', partying_face: '🥳',
    hugging_face: '🤗', sob: '😭', cry: '😢', fire: '🔥', '100': '💯', zap: '⚡', boom: '💥',
    trophy: '🏆', medal: '🏅', sports_medal: '🏅', dart: '🎯', gift: '🎁', package: '📦',
    books: '📚', book: '📖', page_facing_up: '📄', spiral_note_pad: '🗒️',
    spiral_calendar_pad: '🗓️', card_index: '📇', file_folder: '📁', open_file_folder: '📂',
    pencil2: '✏️', hammer_and_wrench: '🛠️', wrench: '🔧', gear: '⚙️', coffee: '☕',
    airplane: '✈️', palm_tree: '🌴', beach_with_umbrella: '🏖️', house: '🏠', office: '🏢',
    globe_with_meridians: '🌐', earth_africa: '🌍', earth_americas: '🌎', world_map: '🗺️',
    sunny: '☀️', snowflake: '❄️', umbrella: '☂️', rotating_light: '🚨', no_entry: '⛔',
    no_entry_sign: '🚫', red_circle: '🔴', large_green_circle: '🟢', large_yellow_circle: '🟡',
    large_blue_circle: '🔵', white_circle: '⚪', black_circle: '⚫', heavy_plus_sign: '➕',
    heavy_minus_sign: '➖', arrow_right: '➡️', arrow_left: '⬅️', arrow_up: '⬆️', arrow_down: '⬇️',
    leftwards_arrow_with_hook: '↩️', ballot_box_with_check: '☑️', construction: '🚧',
    hourglass_done: '⌛', wave_hand: '👋', writing_hand: '✍️', loudspeaker: '📢', mega: '📣',
    label: '🏷️', bookmark: '🔖', crystal_ball: '🔮', mailbox_with_mail: '📬',
  };

  // :name: optionally followed by a skin tone (":wave::skin-tone-2:"); the tone is ignored.
  const EMOJI_RE = /:([a-z0-9_+'-]+):(?::skin-tone-[2-6]:)?/g;

  /** Replace known shortcodes by Unicode; unknown shortcodes stay as typed. */
  function emojify(text) {
    const src = String(text);
    const re = new RegExp(EMOJI_RE.source, 'g');
    let out = '';
    let last = 0;
    let match;
    while ((match = re.exec(src))) {
      const char = EMOJI[match[1]];
      if (!char) {
        re.lastIndex = match.index + 1;  // the closing colon may open the next shortcode
        continue;
      }
      out += src.slice(last, match.index) + char;
      last = match.index + match[0].length;
    }
    return out + src.slice(last);
  }

  /** Slack escapes &, < and > in text; decode them exactly once (single pass). */
  function decodeEntities(text) {
    return String(text).replace(/&(amp|lt|gt);/g, (_, name) => ({ amp: '&', lt: '<', gt: '>' })[name]);
  }

  /** A text object as a plain string (for labels, options, titles). */
  function plainString(obj) {
    if (obj === null || obj === undefined) return '';
    if (typeof obj === 'string') return obj;
    const text = String(obj.text ?? '');
    if (obj.type === 'mrkdwn') return emojify(decodeEntities(text));
    // plain_text: shown literally; shortcodes converted unless "emoji": false
    return obj.emoji === false ? text : emojify(text);
  }

  /** Render a text object: mrkdwn gets formatting, plain_text is shown literally. */
  function renderText(obj) {
    if (obj && typeof obj === 'object' && obj.type === 'mrkdwn') return renderMrkdwn(obj.text);
    return h('span', { class: 'plain-text' }, plainString(obj));
  }

  // --- mrkdwn
  // Strategy: cut ```preformatted``` blocks out, group "> quote" lines, then per run of text:
  // replace <...> tokens by placeholder characters (private use area) holding ready-made nodes,
  // apply `code`, *bold*, _italic_ and ~strike~ on the string, and finally emit text nodes
  // (entities decoded, emoji converted) with the placeholder nodes put back.

  const ATOM_BASE = 0xe000;
  // Slack only opens/closes *, _ and ~ at word boundaries: start/end, spaces or punctuation.
  const BOUND = '[\\s\\p{P}\\p{S}\\uE000-\\uF8FF]';
  const STYLE_RULES = [['*', 'strong'], ['_', 'em'], ['~', 'del']].map(([marker, tag]) => {
    const m = marker === '*' ? '\\*' : marker;  // only * needs escaping (\~ is invalid with /u)
    return { tag, re: new RegExp(`(?<=^|${BOUND})${m}(?!\\s)([^\\n]*?\\S)${m}(?=$|${BOUND})`, 'gu') };
  });

  function renderMrkdwn(text) {
    const root = h('div', { class: 'mrkdwn' });
    const src = String(text ?? '');
    const fence = /```([\s\S]*?)```/g;
    let last = 0;
    let match;
    while ((match = fence.exec(src))) {
      appendMrkdwnLines(root, src.slice(last, match.index).replace(/\n$/, ''));
      const pre = h('pre', { class: 'mrkdwn-pre' });
      // Inside ``` nothing is formatted, but links and mentions still resolve.
      renderInline(match[1].replace(/^\n/, '').replace(/\n$/, ''), pre, false);
      root.append(pre);
      last = fence.lastIndex;
      if (src[last] === '\n') last += 1;
    }
    appendMrkdwnLines(root, src.slice(last));
    return root;
  }

  /** Lines starting with "> " (or "&gt; ", as Slack escapes it) are quotes; ">>>" quotes the rest. */
  function appendMrkdwnLines(root, text) {
    if (!text) return;
    const lines = text.split('\n');
    let buffer = [];
    let quoting = false;
    const flush = () => {
      if (!buffer.length) return;
      const target = quoting ? h('blockquote', { class: 'mrkdwn-quote' }) : h('span', { class: 'mrkdwn-lines' });
      renderInline(buffer.join('\n'), target, true);
      root.append(target);
      buffer = [];
    };
    for (let i = 0; i < lines.length; i += 1) {
      const line = lines[i];
      const rest = /^(?:&gt;|>){3} ?/.exec(line);
      if (rest) {
        flush();
        quoting = true;
        buffer = [line.slice(rest[0].length), ...lines.slice(i + 1)];
        flush();
        return;
      }
      const quote = /^(?:&gt;|>) ?/.exec(line);
      if (Boolean(quote) !== quoting) {
        flush();
        quoting = Boolean(quote);
      }
      buffer.push(quote ? line.slice(quote[0].length) : line);
    }
    flush();
  }

  function renderInline(raw, parent, format) {
    const atoms = [];
    const text = String(raw).replace(/<([^<>\n]+)>/g, (whole, inner) => {
      const node = renderAtom(inner);
      if (!node) return whole;
      atoms.push(node);
      return String.fromCharCode(ATOM_BASE + atoms.length - 1);
    });
    if (format) appendCode(text, parent, atoms);
    else appendText(text, parent, atoms, false);
  }

  /** `code` spans: their content is not formatted further. */
  function appendCode(text, parent, atoms) {
    const re = /`([^`\n]+)`/g;
    let last = 0;
    let match;
    while ((match = re.exec(text))) {
      appendStyled(text.slice(last, match.index), parent, atoms);
      const code = h('code', { class: 'mrkdwn-code' });
      appendText(match[1], code, atoms, false);
      parent.append(code);
      last = re.lastIndex;
    }
    appendStyled(text.slice(last), parent, atoms);
  }

  /** *bold*, _italic_, ~strike~ (nestable: "*_both_*"). */
  function appendStyled(text, parent, atoms) {
    let pos = 0;
    while (pos < text.length) {
      let best = null;
      for (const rule of STYLE_RULES) {
        rule.re.lastIndex = pos;
        const match = rule.re.exec(text);
        if (match && (!best || match.index < best.match.index)) best = { rule, match };
      }
      if (!best) break;
      appendText(text.slice(pos, best.match.index), parent, atoms, true);
      const el = document.createElement(best.rule.tag);
      appendStyled(best.match[1], el, atoms);
      parent.append(el);
      pos = best.match.index + best.match[0].length;
    }
    appendText(text.slice(pos), parent, atoms, true);
  }

  function appendText(text, parent, atoms, withEmoji) {
    let buffer = '';
    const flush = () => {
      if (!buffer) return;
      const decoded = decodeEntities(buffer);
      parent.append(document.createTextNode(withEmoji ? emojify(decoded) : decoded));
      buffer = '';
    };
    for (const char of text) {
      const index = char.codePointAt(0) - ATOM_BASE;
      if (index >= 0 && index < atoms.length) {
        flush();
        parent.append(atoms[index]);
      } else {
        buffer += char;
      }
    }
    flush();
  }

  /** One <...> token: <@U1|name>, <#C1|name>, <!here>, <!date^...|fallback>, <url|label>. */
  function renderAtom(inner) {
    const bar = inner.indexOf('|');
    const target = bar >= 0 ? inner.slice(0, bar) : inner;
    const label = bar >= 0 ? decodeEntities(inner.slice(bar + 1)) : '';
    if (target.startsWith('@')) return userMention(target.slice(1), label.replace(/^@/, ''));
    if (target.startsWith('#')) return channelMention(target.slice(1), label.replace(/^#/, ''));
    if (target.startsWith('!')) return specialMention(target.slice(1), label);
    const href = safeHref(decodeEntities(target));
    if (!href || !/^(https?:|mailto:|tel:)/i.test(href)) return null;
    const shown = label || (/^mailto:/i.test(href) ? href.slice(7) : href);
    return h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, emojify(shown));
  }

  function userMention(id, label) {
    const name = personName(id) || label || id;
    return h('span', { class: 'mention', 'data-user-id': id }, `@${name}`);
  }

  function channelMention(id, label) {
    const channel = channelsById.get(id);
    const name = (channel && channel.name) || label || id;
    return h('span', { class: 'channel-mention', 'data-channel-id': id }, `#${name}`);
  }

  function specialMention(command, label) {
    const [name] = command.split('^');
    if (['here', 'channel', 'everyone'].includes(name)) {
      return h('span', { class: 'mention broadcast' }, `@${name}`);
    }
    if (name === 'subteam') return h('span', { class: 'mention' }, label || '@group');
    if (name === 'date') return h('span', { class: 'date' }, label || formatFullDate(command.split('^')[1]));
    return document.createTextNode(label || command);
  }

  // --- rich_text

  const RICH_BLOCKS = {
    rich_text_section: (el) => h('div', { class: 'rt-section' }, richInline(el.elements)),
    rich_text_list: renderRichList,
    rich_text_quote: (el) => h('blockquote', { class: 'rt-quote' }, richInline(el.elements)),
    rich_text_preformatted: (el) => h('pre', { class: 'rt-pre' }, richInline(el.elements)),
  };

  function renderRichText(block) {
    return h('div', { class: 'bk-rich-text' }, (block.elements || []).map((el) => {
      const fn = RICH_BLOCKS[el && el.type];
      return fn ? fn(el) : unsupported(el && el.type);
    }));
  }

  function renderRichList(el) {
    const ordered = el.style === 'ordered';
    const list = h(ordered ? 'ol' : 'ul', {
      class: `rt-list indent-${Math.min(Number(el.indent) || 0, 8)}`,
      start: ordered && el.offset ? Number(el.offset) + 1 : null,
    });
    for (const item of el.elements || []) list.append(h('li', {}, richInline(item.elements)));
    return list;
  }

  const RICH_INLINE = {
    text: (e) => document.createTextNode(String(e.text ?? '')),
    link: (e) => {
      const href = safeHref(e.url);
      const label = String(e.text || e.url || '');
      return href ? h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, label) : document.createTextNode(label);
    },
    user: (e) => userMention(e.user_id, ''),
    usergroup: (e) => h('span', { class: 'mention' }, `@${e.usergroup_id}`),
    channel: (e) => channelMention(e.channel_id, ''),
    broadcast: (e) => h('span', { class: 'mention broadcast' }, `@${e.range}`),
    emoji: (e) => document.createTextNode(emojiFromRich(e)),
    date: (e) => document.createTextNode(e.fallback || formatFullDate(e.timestamp)),
    color: (e) => document.createTextNode(String(e.value ?? '')),
  };

  function emojiFromRich(e) {
    if (e.unicode) {
      try {
        return String.fromCodePoint(...String(e.unicode).split('-').map((part) => parseInt(part, 16)));
      } catch (err) { /* fall through to the shortcode */ }
    }
    return EMOJI[e.name] || `:${e.name}:`;
  }

  function richInline(elements) {
    return (elements || []).map((e) => {
      const fn = RICH_INLINE[e && e.type];
      return fn ? applyRichStyle(fn(e), e.style) : unsupported(e && e.type);
    });
  }

  function applyRichStyle(node, style) {
    if (!style) return node;
    let out = node;
    if (style.code) out = h('code', { class: 'mrkdwn-code' }, out);
    if (style.strike) out = h('del', {}, out);
    if (style.italic) out = h('em', {}, out);
    if (style.bold) out = h('strong', {}, out);
    return out;
  }

  function unsupported(type) {
    return h('span', { class: 'unsupported' }, `[unsupported: ${type || 'unknown'}]`);
  }

  // ---------------------------------------------------------------- 3. form state and actions
  // A "form" is Slack's state.values for one view (keyed by view id) or one message
  // (keyed "msg:CHANNEL:TS"): {block_id: {action_id: VALUE}}. Typed-but-unsent values survive
  // re-renders; a form is reset only when its key is new or its blocks JSON changed.

  const forms = new Map();

  function blockIdOf(block, index) {
    return (block && block.block_id) || `block-${index}`;
  }

  function actionIdOf(element, blockId, slot) {
    return (element && element.action_id) || `${blockId}-${slot}`;
  }

  /** Elements that carry a value in state.values, with their slot for generated action ids. */
  function statefulSlots(block) {
    if (!block) return [];
    if (block.type === 'input') return block.element ? [[block.element, 0]] : [];
    if (block.type === 'actions') return (block.elements || []).map((el, i) => [el, i]);
    if (block.type === 'section' && block.accessory) return [[block.accessory, 'accessory']];
    return [];
  }

  function initialValues(blocks) {
    const values = {};
    (blocks || []).forEach((block, index) => {
      const blockId = blockIdOf(block, index);
      for (const [element, slot] of statefulSlots(block)) {
        const initial = INITIAL_VALUES[element && element.type];
        if (!initial) continue;
        values[blockId] = values[blockId] || {};
        values[blockId][actionIdOf(element, blockId, slot)] = initial(element);
      }
    });
    return values;
  }

  function formFor(key, blocks) {
    const json = JSON.stringify(blocks || []);
    let form = forms.get(key);
    if (!form || form.blocksJson !== json) {
      form = { blocksJson: json, values: initialValues(blocks) };
      forms.set(key, form);
    }
    return form;
  }

  function getValue(ctx, actionId) {
    const form = forms.get(ctx.formKey);
    const block = form && form.values[ctx.blockId];
    return block ? block[actionId] : undefined;
  }

  function setValue(ctx, actionId, value) {
    const form = forms.get(ctx.formKey);
    if (!form) return;
    form.values[ctx.blockId] = form.values[ctx.blockId] || {};
    form.values[ctx.blockId][actionId] = value;
  }

  function stateOf(formKey) {
    const form = forms.get(formKey);
    return { values: clone(form ? form.values : {}) };
  }

  // Options are always sent as the option object given in the element (with description).
  function allOptions(el) {
    if (Array.isArray(el.options)) return el.options;
    return (el.option_groups || []).flatMap((group) => group.options || []);
  }

  function findOption(el, value) {
    return allOptions(el).find((option) => option.value === value) || null;
  }

  function initialOption(el) {
    return el.initial_option ? (findOption(el, el.initial_option.value) || el.initial_option) : null;
  }

  function initialOptions(el) {
    return (el.initial_options || []).map((option) => findOption(el, option.value) || option);
  }

  const emptyToNull = (value) => (value === undefined || value === null || value === '' ? null : String(value));

  // Initial VALUE per element type, in Slack's view_submission format.
  const INITIAL_VALUES = {
    plain_text_input: (el) => ({ type: el.type, value: emptyToNull(el.initial_value) }),
    number_input: (el) => ({ type: el.type, value: emptyToNull(el.initial_value) }),
    email_text_input: (el) => ({ type: el.type, value: emptyToNull(el.initial_value) }),
    url_text_input: (el) => ({ type: el.type, value: emptyToNull(el.initial_value) }),
    datepicker: (el) => ({ type: el.type, selected_date: el.initial_date || null }),
    timepicker: (el) => ({ type: el.type, selected_time: el.initial_time || null }),
    datetimepicker: (el) => ({ type: el.type, selected_date_time: el.initial_date_time ?? null }),
    static_select: (el) => ({ type: el.type, selected_option: initialOption(el) }),
    radio_buttons: (el) => ({ type: el.type, selected_option: initialOption(el) }),
    multi_static_select: (el) => ({ type: el.type, selected_options: initialOptions(el) }),
    checkboxes: (el) => ({ type: el.type, selected_options: initialOptions(el) }),
    users_select: (el) => ({ type: el.type, selected_user: el.initial_user || null }),
    multi_users_select: (el) => ({ type: el.type, selected_users: [...(el.initial_users || [])] }),
    conversations_select: (el) => ({ type: el.type, selected_conversation: el.initial_conversation || null }),
    multi_conversations_select: (el) => ({ type: el.type, selected_conversations: [...(el.initial_conversations || [])] }),
    channels_select: (el) => ({ type: el.type, selected_channel: el.initial_channel || null }),
    multi_channels_select: (el) => ({ type: el.type, selected_channels: [...(el.initial_channels || [])] }),
  };

  async function sendAction(ctx, action) {
    return post({ as: me, kind: 'action', container: ctx.container, action, state: stateOf(ctx.formKey) });
  }

  /**
   * A stateful element changed: store its VALUE, and when it is not inside an input block
   * (or the input block has dispatch_action) send a block_actions action, after its confirm.
   */
  async function commitValue(ctx, el, actionId, value, revert) {
    const previous = getValue(ctx, actionId);
    setValue(ctx, actionId, value);
    if (!ctx.dispatch) return;
    if (el.confirm && !(await askConfirm(el.confirm))) {
      setValue(ctx, actionId, previous);
      revert(previous);
      return;
    }
    const { type, ...fields } = value;
    await sendAction(ctx, { type: el.type, action_id: actionId, block_id: ctx.blockId, ...fields, action_ts: actionTs() });
  }

  // ---------------------------------------------------------------- 4. Block Kit: blocks

  const BLOCKS = {
    section: renderSection,
    header: (block) => h('h3', { class: 'bk-header' }, plainString(block.text)),
    context: renderContext,
    divider: () => h('hr', { class: 'bk-divider' }),
    actions: renderActions,
    image: renderImageBlock,
    input: renderInput,
    rich_text: renderRichText,
  };

  /** Render a list of blocks. ctx: {formKey, container, errors}. */
  function renderBlocks(blocks, baseCtx) {
    const frag = document.createDocumentFragment();
    (blocks || []).forEach((block, index) => {
      const type = block && block.type;
      const blockId = blockIdOf(block, index);
      const ctx = {
        ...baseCtx,
        blockId,
        // Inside input blocks, selects & co. only feed the state, unless dispatch_action.
        dispatch: type !== 'input' || (block && block.dispatch_action === true),
      };
      let node;
      try {
        node = BLOCKS[type] ? BLOCKS[type](block, ctx) : unsupported(type);
      } catch (err) {
        console.error('Could not render block', block, err);
        node = unsupported(type);
      }
      const wrapper = h('div', { class: `block block-${String(type).replace(/[^a-z_]/g, '')}`, 'data-block-id': blockId }, node);
      frag.append(wrapper);
    });
    return frag;
  }

  function renderSection(block, ctx) {
    const main = h('div', { class: 'section-main' });
    if (block.text) main.append(renderText(block.text));
    if (Array.isArray(block.fields) && block.fields.length) {
      main.append(h('div', { class: 'fields' }, block.fields.map((field) => h('div', { class: 'field' }, renderText(field)))));
    }
    const node = h('div', { class: 'bk-section' }, main);
    if (block.accessory) {
      const actionId = actionIdOf(block.accessory, ctx.blockId, 'accessory');
      node.append(h('div', { class: 'accessory' }, renderElement(block.accessory, ctx, actionId)));
    }
    return node;
  }

  function renderContext(block) {
    return h('div', { class: 'bk-context' }, (block.elements || []).map((el) => {
      if (el && el.type === 'image') return renderImage(el.image_url, el.alt_text, 'context-image');
      if (el && (el.type === 'mrkdwn' || el.type === 'plain_text')) return h('span', { class: 'context-item' }, renderText(el));
      return unsupported(el && el.type);
    }));
  }

  function renderActions(block, ctx) {
    return h('div', { class: 'bk-actions' }, (block.elements || []).map((el, index) => (
      renderElement(el, ctx, actionIdOf(el, ctx.blockId, index))
    )));
  }

  function renderImageBlock(block) {
    const url = block.image_url || (block.slack_file && block.slack_file.url);
    return h('figure', { class: 'bk-image' },
      block.title ? h('figcaption', { class: 'image-title' }, plainString(block.title)) : null,
      renderImage(url, block.alt_text, 'image-block-img'));
  }

  /** Images are shown only when served locally; otherwise a placeholder with the alt text. */
  function renderImage(url, alt, className) {
    if (url && isLocalUrl(url)) return h('img', { src: url, alt: alt || '', class: className, loading: 'lazy', onload: keepAtBottom });
    return h('span', { class: `image-placeholder ${className}`, title: alt || '' }, `[image: ${alt || 'image'}]`);
  }

  function renderInput(block, ctx) {
    const el = block.element || {};
    const controlId = nextId('field');
    const labelId = `${controlId}-label`;
    const actionId = actionIdOf(el, ctx.blockId, 0);
    const error = ctx.errors && ctx.errors[ctx.blockId];
    return h('div', { class: `bk-input${error ? ' has-error' : ''}` },
      h('label', { class: 'input-label', id: labelId, for: controlId },
        plainString(block.label),
        block.optional ? h('span', { class: 'optional' }, ' (optional)') : null),
      renderElement(el, { ...ctx, controlId, labelId }, actionId),
      block.hint ? h('div', { class: 'input-hint' }, renderText(block.hint)) : null,
      error ? h('div', { class: 'field-error' }, String(error)) : null);
  }

  // ---------------------------------------------------------------- 4. Block Kit: elements

  const ELEMENTS = {
    button: renderButton,
    overflow: renderOverflow,
    image: (el) => renderImage(el.image_url, el.alt_text, 'accessory-image'),
    static_select: renderStaticSelect,
    multi_static_select: renderMultiStaticSelect,
    users_select: (el, ctx, aid) => renderIdSelect(el, ctx, aid, peopleChoices(), 'selected_user', 'Select a person'),
    multi_users_select: (el, ctx, aid) => renderIdMultiSelect(el, ctx, aid, peopleChoices(), 'selected_users'),
    conversations_select: (el, ctx, aid) => renderIdSelect(el, ctx, aid, channelChoices(), 'selected_conversation', 'Select a channel'),
    multi_conversations_select: (el, ctx, aid) => renderIdMultiSelect(el, ctx, aid, channelChoices(), 'selected_conversations'),
    channels_select: (el, ctx, aid) => renderIdSelect(el, ctx, aid, channelChoices(), 'selected_channel', 'Select a channel'),
    multi_channels_select: (el, ctx, aid) => renderIdMultiSelect(el, ctx, aid, channelChoices(), 'selected_channels'),
    datepicker: (el, ctx, aid) => renderDateLike(el, ctx, aid, 'date', 'selected_date'),
    timepicker: (el, ctx, aid) => renderDateLike(el, ctx, aid, 'time', 'selected_time'),
    datetimepicker: renderDateTimePicker,
    radio_buttons: (el, ctx, aid) => renderChoiceGroup(el, ctx, aid, 'radio'),
    checkboxes: (el, ctx, aid) => renderChoiceGroup(el, ctx, aid, 'checkbox'),
    plain_text_input: (el, ctx, aid) => renderTextInput(el, ctx, aid, el.multiline ? 'textarea' : 'text'),
    number_input: (el, ctx, aid) => renderTextInput(el, ctx, aid, 'number'),
    email_text_input: (el, ctx, aid) => renderTextInput(el, ctx, aid, 'email'),
    url_text_input: (el, ctx, aid) => renderTextInput(el, ctx, aid, 'url'),
  };

  function renderElement(el, ctx, actionId) {
    const type = el && el.type;
    const fn = ELEMENTS[type];
    if (!fn) return unsupported(type);
    try {
      return fn(el, ctx, actionId);
    } catch (err) {
      console.error('Could not render element', el, err);
      return unsupported(type);
    }
  }

  function buttonAction(el, ctx, actionId) {
    const action = { type: 'button', action_id: actionId, block_id: ctx.blockId, text: el.text, action_ts: actionTs() };
    if (el.value !== undefined) action.value = el.value;
    if (el.style) action.style = el.style;
    return action;
  }

  /** Buttons always send an action; a url opens in a new tab too; confirm asks first. */
  function renderButton(el, ctx, actionId) {
    const style = el.style === 'primary' || el.style === 'danger' ? ` btn-${el.style}` : '';
    const button = h('button', {
      type: 'button', class: `btn bk-button${style}`, 'data-action-id': actionId, 'data-value': el.value,
    }, plainString(el.text));
    button.addEventListener('click', async () => {
      if (el.confirm) {
        if (!(await askConfirm(el.confirm))) return;
        if (el.url) openUrl(el.url);
      } else if (el.url) {
        openUrl(el.url);  // synchronous with the click, so no popup blocker
      }
      button.disabled = true;
      try {
        await sendAction(ctx, buttonAction(el, ctx, actionId));
      } finally {
        button.disabled = false;
      }
    });
    return button;
  }

  function renderOverflow(el, ctx, actionId) {
    const button = h('button', {
      type: 'button', class: 'btn bk-overflow', 'data-action-id': actionId,
      'aria-haspopup': 'menu', 'aria-label': 'More actions', title: 'More actions',
    }, '⋯');
    button.addEventListener('click', (event) => {
      event.stopPropagation();
      if (overflowMenu && overflowMenu.anchor === button) closeOverflowMenu();
      else openOverflowMenu(button, el, ctx, actionId);
    });
    return button;
  }

  function selectPlaceholder(el, fallback) {
    return el.placeholder ? plainString(el.placeholder) : fallback;
  }

  function optionNode(option) {
    return h('option', { value: option.value }, plainString(option.text));
  }

  /** <option>s and <optgroup>s of a static select. */
  function appendStaticOptions(select, el) {
    if (Array.isArray(el.options)) {
      el.options.forEach((option) => select.append(optionNode(option)));
      return;
    }
    for (const group of el.option_groups || []) {
      select.append(h('optgroup', { label: plainString(group.label) }, (group.options || []).map(optionNode)));
    }
  }

  function renderStaticSelect(el, ctx, actionId) {
    const select = h('select', { class: 'bk-select', id: ctx.controlId, 'data-action-id': actionId });
    select.append(h('option', { value: '' }, selectPlaceholder(el, 'Select an option')));
    appendStaticOptions(select, el);
    const apply = (value) => { select.value = value && value.selected_option ? value.selected_option.value : ''; };
    apply(getValue(ctx, actionId));
    select.addEventListener('change', () => {
      commitValue(ctx, el, actionId, { type: el.type, selected_option: findOption(el, select.value) }, apply);
    });
    return select;
  }

  function renderMultiStaticSelect(el, ctx, actionId) {
    const select = h('select', {
      class: 'bk-select bk-multi', id: ctx.controlId, multiple: true, 'data-action-id': actionId,
      'aria-label': selectPlaceholder(el, 'Select options'),
    });
    appendStaticOptions(select, el);
    const apply = (value) => {
      const chosen = new Set(((value && value.selected_options) || []).map((o) => o.value));
      for (const option of select.options) option.selected = chosen.has(option.value);
    };
    apply(getValue(ctx, actionId));
    select.addEventListener('change', () => {
      const chosen = new Set(Array.from(select.selectedOptions, (o) => o.value));
      const selected = allOptions(el).filter((o) => chosen.has(o.value));
      commitValue(ctx, el, actionId, { type: el.type, selected_options: selected }, apply);
    });
    return select;
  }

  // users_select & co. take their options from the state: people and channels.
  function peopleChoices() {
    return ((state && state.people) || []).map((p) => ({ value: p.id, label: p.real_name || p.name || p.id }));
  }

  function channelChoices() {
    return ((state && state.channels) || [])
      .filter((c) => c.kind === 'channel')
      .map((c) => ({ value: c.id, label: `#${c.name}` }));
  }

  function renderIdSelect(el, ctx, actionId, choices, field, fallback) {
    const select = h('select', { class: 'bk-select', id: ctx.controlId, 'data-action-id': actionId });
    select.append(h('option', { value: '' }, selectPlaceholder(el, fallback)));
    choices.forEach((c) => select.append(h('option', { value: c.value }, c.label)));
    const apply = (value) => {
      const id = value ? value[field] : null;
      if (id && !choices.some((c) => c.value === id)) select.append(h('option', { value: id }, id));
      select.value = id || '';
    };
    apply(getValue(ctx, actionId));
    select.addEventListener('change', () => {
      commitValue(ctx, el, actionId, { type: el.type, [field]: select.value || null }, apply);
    });
    return select;
  }

  function renderIdMultiSelect(el, ctx, actionId, choices, field) {
    const select = h('select', {
      class: 'bk-select bk-multi', id: ctx.controlId, multiple: true, 'data-action-id': actionId,
      'aria-label': selectPlaceholder(el, 'Select'),
    });
    choices.forEach((c) => select.append(h('option', { value: c.value }, c.label)));
    const apply = (value) => {
      const chosen = new Set((value && value[field]) || []);
      for (const option of select.options) option.selected = chosen.has(option.value);
    };
    apply(getValue(ctx, actionId));
    select.addEventListener('change', () => {
      commitValue(ctx, el, actionId, { type: el.type, [field]: Array.from(select.selectedOptions, (o) => o.value) }, apply);
    });
    return select;
  }

  /** datepicker (<input type=date>, "YYYY-MM-DD") and timepicker (<input type=time>, "HH:mm"). */
  function renderDateLike(el, ctx, actionId, inputType, field) {
    const input = h('input', {
      type: inputType, class: `bk-${inputType}`, id: ctx.controlId, 'data-action-id': actionId,
      'aria-label': el.placeholder ? plainString(el.placeholder) : null,
    });
    const apply = (value) => { input.value = (value && value[field]) || ''; };
    apply(getValue(ctx, actionId));
    input.addEventListener('change', () => {
      commitValue(ctx, el, actionId, { type: el.type, [field]: input.value || null }, apply);
    });
    return input;
  }

  /** datetimepicker: selected_date_time is a UNIX timestamp; the sandbox runs in UTC. */
  function renderDateTimePicker(el, ctx, actionId) {
    const input = h('input', { type: 'datetime-local', class: 'bk-datetime', id: ctx.controlId, 'data-action-id': actionId });
    const apply = (value) => {
      const seconds = value ? value.selected_date_time : null;
      input.value = seconds === null || seconds === undefined ? '' : new Date(seconds * 1000).toISOString().slice(0, 16);
    };
    apply(getValue(ctx, actionId));
    input.addEventListener('change', () => {
      const seconds = input.value ? Math.floor(Date.parse(`${input.value}:00Z`) / 1000) : null;
      commitValue(ctx, el, actionId, { type: el.type, selected_date_time: seconds }, apply);
    });
    return input;
  }

  /** radio_buttons (selected_option) and checkboxes (selected_options). */
  function renderChoiceGroup(el, ctx, actionId, inputType) {
    const group = h('div', {
      class: `bk-choices bk-${inputType}`, role: inputType === 'radio' ? 'radiogroup' : 'group',
      id: ctx.controlId, 'aria-labelledby': ctx.labelId, 'data-action-id': actionId,
    });
    const name = nextId('choice');
    const inputs = [];
    for (const option of el.options || []) {
      const input = h('input', { type: inputType, name, value: option.value });
      inputs.push(input);
      group.append(h('label', { class: 'choice' }, input,
        h('span', { class: 'choice-text' }, renderText(option.text),
          option.description ? h('span', { class: 'choice-description' }, renderText(option.description)) : null)));
    }
    const apply = (value) => {
      const chosen = inputType === 'radio'
        ? new Set(value && value.selected_option ? [value.selected_option.value] : [])
        : new Set(((value && value.selected_options) || []).map((o) => o.value));
      inputs.forEach((input) => { input.checked = chosen.has(input.value); });
    };
    apply(getValue(ctx, actionId));
    group.addEventListener('change', () => {
      const checked = new Set(inputs.filter((i) => i.checked).map((i) => i.value));
      const selected = (el.options || []).filter((o) => checked.has(o.value));
      const value = inputType === 'radio'
        ? { type: el.type, selected_option: selected[0] || null }
        : { type: el.type, selected_options: selected };
      commitValue(ctx, el, actionId, value, apply);
    });
    return group;
  }

  /** plain_text_input (multiline → textarea), number_input, email_text_input, url_text_input. */
  function renderTextInput(el, ctx, actionId, kind) {
    const attrs = {
      class: `bk-text-input bk-${kind}`, id: ctx.controlId, 'data-action-id': actionId,
      placeholder: el.placeholder ? plainString(el.placeholder) : null,
      maxlength: el.max_length || null,
      minlength: el.min_length || null,
    };
    let input;
    if (kind === 'textarea') {
      input = h('textarea', { ...attrs, rows: 4 });
    } else {
      input = h('input', { ...attrs, type: kind });
      if (kind === 'number') {
        input.step = el.is_decimal_allowed ? 'any' : '1';
        if (el.min_value !== undefined) input.min = el.min_value;
        if (el.max_value !== undefined) input.max = el.max_value;
      }
    }
    const current = getValue(ctx, actionId);
    input.value = (current && current.value) || '';
    input.addEventListener('input', () => {
      setValue(ctx, actionId, { type: el.type, value: input.value === '' ? null : input.value });
    });
    // dispatch_action on a text input: Slack sends the action when Enter is pressed.
    input.addEventListener('keydown', (event) => {
      if (!ctx.dispatch || event.key !== 'Enter' || event.isComposing) return;
      if (kind === 'textarea' && !(event.ctrlKey || event.metaKey)) return;
      event.preventDefault();
      const value = input.value === '' ? null : input.value;
      setValue(ctx, actionId, { type: el.type, value });
      sendAction(ctx, { type: el.type, action_id: actionId, block_id: ctx.blockId, value, action_ts: actionTs() });
    });
    return input;
  }

  // ---------------------------------------------------------------- 5. overflow menu

  let overflowMenu = null;  // {anchor, node}

  function openOverflowMenu(anchor, el, ctx, actionId) {
    closeOverflowMenu();
    const menu = h('div', { class: 'overflow-menu', role: 'menu' });
    for (const option of el.options || []) {
      const item = h('button', { type: 'button', role: 'menuitem', class: 'overflow-option', 'data-value': option.value }, plainString(option.text));
      item.addEventListener('click', async (event) => {
        event.stopPropagation();
        closeOverflowMenu();
        if (el.confirm && !(await askConfirm(el.confirm))) return;
        if (option.url) openUrl(option.url);
        await sendAction(ctx, { type: 'overflow', action_id: actionId, block_id: ctx.blockId, selected_option: option, action_ts: actionTs() });
      });
      menu.append(item);
    }
    document.body.append(menu);
    const rect = anchor.getBoundingClientRect();
    const width = menu.offsetWidth;
    const top = Math.min(rect.bottom + 4, window.innerHeight - menu.offsetHeight - 8);
    menu.style.top = `${Math.max(8, top)}px`;
    menu.style.left = `${Math.max(8, Math.min(rect.right - width, window.innerWidth - width - 8))}px`;
    anchor.setAttribute('aria-expanded', 'true');
    overflowMenu = { anchor, node: menu };
    const first = menu.querySelector('button');
    if (first) first.focus();
  }

  function closeOverflowMenu() {
    if (!overflowMenu) return;
    overflowMenu.node.remove();
    overflowMenu.anchor.setAttribute('aria-expanded', 'false');
    overflowMenu = null;
  }

  document.addEventListener('click', (event) => {
    if (overflowMenu && !overflowMenu.node.contains(event.target)) closeOverflowMenu();
  });

  // ---------------------------------------------------------------- 5. confirm dialog

  let confirmDone = null;

  /** Slack's confirm object {title, text, confirm, deny, style}: resolves true on confirm. */
  function askConfirm(confirm) {
    if (confirmDone) confirmDone(false);
    return new Promise((resolve) => {
      const root = $('#confirm-root');
      const done = (ok) => {
        confirmDone = null;
        root.replaceChildren();
        resolve(ok);
      };
      confirmDone = done;
      const danger = confirm.style === 'danger';
      const yes = h('button', { type: 'button', id: 'confirm-yes', class: `btn ${danger ? 'btn-danger' : 'btn-primary'}`, onclick: () => done(true) },
        plainString(confirm.confirm) || 'Yes');
      const no = h('button', { type: 'button', id: 'confirm-no', class: 'btn', onclick: () => done(false) },
        plainString(confirm.deny) || 'Cancel');
      root.replaceChildren(h('div', { class: 'overlay confirm-overlay' },
        h('div', { id: 'confirm', class: 'confirm', role: 'alertdialog', 'aria-modal': 'true', 'aria-labelledby': 'confirm-title' },
          h('h2', { id: 'confirm-title', class: 'confirm-title' }, plainString(confirm.title) || 'Are you sure?'),
          h('div', { class: 'confirm-text' }, confirm.text ? renderText(confirm.text) : null),
          h('div', { class: 'confirm-buttons' }, no, yes))));
      yes.focus();
    });
  }

  // ---------------------------------------------------------------- 5. messages

  function senderName(message) {
    if (message.user === BOT_USER) return BOT_NAME;
    return personName(message.user) || message.user_name || message.user || 'Unknown';
  }

  function initials(name) {
    return String(name).split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0].toUpperCase()).join('') || '?';
  }

  function renderMessage(message, channelId) {
    const isBot = message.user === BOT_USER;
    const name = senderName(message);
    const ctx = {
      formKey: `msg:${channelId}:${message.ts}`,
      container: { type: 'message', channel: channelId, ts: message.ts },
      errors: {},
    };
    const body = h('div', { class: 'message-body' });
    if (Array.isArray(message.blocks) && message.blocks.length) {
      formFor(ctx.formKey, message.blocks);
      body.append(renderBlocks(message.blocks, ctx));
    } else {
      body.append(renderMrkdwn(message.text || ''));  // no blocks: the text is mrkdwn
    }
    const node = h('div', { class: `message${message.ephemeral ? ' ephemeral' : ''}${isBot ? ' from-bot' : ''}`, 'data-ts': message.ts, 'data-user': message.user },
      h('div', { class: `avatar${isBot ? ' avatar-bot' : ''}`, 'aria-hidden': 'true' }, isBot ? 'A' : initials(name)),
      h('div', { class: 'message-main' },
        h('div', { class: 'message-header' },
          h('span', { class: 'sender' }, name),
          isBot ? h('span', { class: 'badge' }, 'APP') : null,
          h('time', { class: 'time', title: formatFullDate(message.ts) }, formatTime(message.ts))),
        body,
        renderFiles(message.files),
        message.ephemeral
          ? h('div', { class: 'ephemeral-note' }, h('span', { 'aria-hidden': 'true' }, '👁 '), h('span', {}, 'Only visible to you'))
          : null,
        renderReplies(message.replies, channelId)));
    return node;
  }

  function renderFiles(files) {
    if (!Array.isArray(files) || !files.length) return null;
    return h('div', { class: 'files' }, files.map((file) => {
      const href = safeHref(file.url);
      const name = file.name || file.title || 'file';
      if (file.is_image && href && isLocalUrl(href)) {
        return h('a', { class: 'file file-image', href, target: '_blank', rel: 'noopener noreferrer' },
          h('img', { src: href, alt: file.title || name, onload: keepAtBottom }));
      }
      if (!href) return h('span', { class: 'file' }, name);
      return h('a', { class: 'file file-download', href, download: name }, `📎 ${name}`);
    }));
  }

  function renderReplies(replies, channelId) {
    if (!Array.isArray(replies) || !replies.length) return null;
    return h('div', { class: 'replies' },
      h('div', { class: 'replies-count' }, replies.length === 1 ? '1 reply' : `${replies.length} replies`),
      replies.map((reply) => renderMessage(reply, channelId)));
  }

  // ---------------------------------------------------------------- 5. unread tracking

  const SEEN_KEY = 'alliance-sandbox-seen';
  let seen = {};
  try { seen = JSON.parse(localStorage.getItem(SEEN_KEY) || '{}') || {}; } catch (err) { seen = {}; }

  /** Newest ts of messages (and replies) not written by the current person. */
  function newestTs(messages) {
    let newest = 0;
    const visit = (list) => {
      for (const m of list || []) {
        if (m.user !== me) newest = Math.max(newest, parseFloat(m.ts) || 0);
        visit(m.replies);
      }
    };
    visit(messages);
    return newest;
  }

  function messagesOf(channelId) {
    return (state && state.conversations && state.conversations[channelId]) || [];
  }

  function markSeen(channelId) {
    const key = `${me}|${channelId}`;
    const newest = newestTs(messagesOf(channelId));
    if (newest > (seen[key] || 0)) {
      seen[key] = newest;
      try { localStorage.setItem(SEEN_KEY, JSON.stringify(seen)); } catch (err) { /* private mode */ }
    }
  }

  function isUnread(channelId) {
    return newestTs(messagesOf(channelId)) > (seen[`${me}|${channelId}`] || 0);
  }

  // ---------------------------------------------------------------- 5. rendering the page

  function render() {
    if (!state) return;
    renderTopbar();
    renderPersonSelect();
    if (currentChannel !== 'home' && !channelsById.has(currentChannel)) currentChannel = defaultChannel();
    const showingHome = currentChannel === 'home';
    $('#home').hidden = !showingHome;
    $('#conversation').hidden = showingHome;
    if (showingHome) {
      renderHome();
    } else {
      markSeen(currentChannel);
      renderConversation();
    }
    renderSidebar();
    renderModal();
  }

  function defaultChannel() {
    const channels = (state && state.channels) || [];
    const dm = channels.find((c) => c.kind === 'dm');
    return dm ? dm.id : (channels[0] ? channels[0].id : 'home');
  }

  function renderTopbar() {
    const clock = state.clock || {};
    $('#clock').textContent = clock.label || clock.now || '';
    $('#team-name').textContent = state.team && state.team.name ? `· ${state.team.name}` : '';
    const busy = Boolean(state.busy) || clockPending;
    $('#busy').hidden = !busy;
    for (const id of ['plus-day', 'plus-week', 'jump', 'jump-date']) $(`#${id}`).disabled = busy;
    const dateInput = $('#jump-date');
    if (clock.date && clock.date !== lastClockDate && document.activeElement !== dateInput) {
      dateInput.value = clock.date;
      lastClockDate = clock.date;
    }
  }

  function renderPersonSelect() {
    const select = $('#person');
    const people = state.people || [];
    const sig = JSON.stringify(people.map((p) => [p.id, p.real_name, p.role]));
    if (sig !== rendered.people) {
      rendered.people = sig;
      select.replaceChildren(...people.map((p) => (
        h('option', { value: p.id }, p.role ? `${p.real_name || p.name} — ${p.role}` : (p.real_name || p.name))
      )));
    }
    if (me && select.value !== me) select.value = me;
  }

  function navItem(channelId, label, extraClass) {
    const active = currentChannel === channelId;
    const unread = channelId !== 'home' && !active && isUnread(channelId);
    return h('button', {
      type: 'button',
      class: `nav-item ${extraClass}${active ? ' active' : ''}${unread ? ' unread' : ''}`,
      'data-channel': channelId,
      'aria-current': active ? 'page' : null,
      onclick: () => selectChannel(channelId),
    }, h('span', { class: 'nav-label' }, label), unread ? h('span', { class: 'unread-dot', 'aria-label': 'unread', title: 'New messages' }) : null);
  }

  function renderSidebar() {
    const channels = state.channels || [];
    const dms = channels.filter((c) => c.kind === 'dm');
    const rooms = channels.filter((c) => c.kind !== 'dm');
    const sig = JSON.stringify([currentChannel, me, channels, channels.map((c) => isUnread(c.id))]);
    if (sig === rendered.sidebar) return;
    rendered.sidebar = sig;
    setChildren($('#nav'),
      navItem('home', '🏠 Home', 'nav-home'),
      h('div', { class: 'nav-heading' }, 'Apps'),
      dms.map((c) => navItem(c.id, c.name, 'nav-dm')),
      rooms.length ? h('div', { class: 'nav-heading' }, 'Channels') : null,
      rooms.map((c) => navItem(c.id, `#${c.name}`, 'nav-channel')),
    );
  }

  function selectChannel(channelId) {
    closeOverflowMenu();
    const wasSame = channelId === currentChannel;
    currentChannel = channelId;
    rendered.conversation = '';  // re-render (and scroll to the bottom) when coming back
    if (channelId === 'home') {
      post({ as: me, kind: 'open_home' });  // Slack sends app_home_opened on every visit
    }
    render();
    if (channelId !== 'home' && !wasSame) $('#composer').focus();
  }

  function conversationTitle(channel) {
    if (!channel) return '';
    return channel.kind === 'dm' ? channel.name : `#${channel.name}`;
  }

  function renderConversation() {
    const channel = channelsById.get(currentChannel);
    const messages = messagesOf(currentChannel);
    const sig = JSON.stringify([currentChannel, messages]) + dirSig;
    if (sig === rendered.conversation) return;
    const list = $('#messages');
    const channelChanged = rendered.convChannel !== currentChannel;
    const scrollTop = list.scrollTop;
    rendered.conversation = sig;
    rendered.convChannel = currentChannel;

    setChildren($('#conversation-header'),
      h('h2', { class: 'pane-title' }, conversationTitle(channel)),
      channel && channel.kind === 'dm' ? h('span', { class: 'badge' }, 'APP') : null);
    const composer = $('#composer');
    composer.placeholder = `Message ${conversationTitle(channel)}`;

    list.replaceChildren(...(messages.length
      ? messages.map((m) => renderMessage(m, currentChannel))
      : [h('div', { class: 'empty' }, 'No messages yet.')]));
    if (channelChanged || stickToBottom) {
      list.scrollTop = list.scrollHeight;
      stickToBottom = true;
    } else {
      list.scrollTop = scrollTop;
    }
  }

  /** Images load after layout: stay at the bottom if we were there. */
  function keepAtBottom() {
    const list = $('#messages');
    if (stickToBottom && list) list.scrollTop = list.scrollHeight;
  }

  function viewCtx(view) {
    formFor(view.id, view.blocks);
    return { formKey: view.id, container: { type: 'view', view_id: view.id }, errors: view.errors || {} };
  }

  function renderHome() {
    const home = state.home;
    const sig = JSON.stringify(home) + dirSig;
    if (sig === rendered.home) return;
    rendered.home = sig;
    const pane = $('#home');
    const focus = captureFocus(pane);
    if (!home) {
      pane.replaceChildren(h('div', { class: 'empty' }, 'Opening Home…'));
      return;
    }
    pane.replaceChildren(
      h('header', { class: 'pane-header' }, h('h2', { class: 'pane-title' }, home.title ? plainString(home.title) : 'Home')),
      h('div', { class: 'home-body', 'data-view-id': home.id }, renderBlocks(home.blocks, viewCtx(home))));
    restoreFocus(pane, focus);
  }

  // ---------------------------------------------------------------- 5. modal

  function topModal() {
    const modals = (state && state.modals) || [];
    return modals.length ? modals[modals.length - 1] : null;
  }

  function renderModal() {
    const view = topModal();
    const sig = view ? JSON.stringify(view) + dirSig : '';
    if (sig === rendered.modal) return;
    rendered.modal = sig;
    const root = $('#modal-root');
    if (!view) {
      root.replaceChildren();
      return;
    }
    const old = $('#modal', root);
    const sameView = old && old.dataset.viewId === view.id;
    const focus = sameView ? captureFocus(root) : null;
    const scroll = sameView ? $('.modal-body', root).scrollTop : 0;

    const pending = pendingViews.has(view.id);
    const closeButton = h('button', { type: 'button', id: 'modal-close', class: 'btn', disabled: pending, onclick: () => closeView(view) },
      view.close ? plainString(view.close) : 'Cancel');
    const submitButton = view.submit
      ? h('button', { type: 'button', id: 'modal-submit', class: 'btn btn-primary', disabled: pending, onclick: () => submitView(view) }, plainString(view.submit))
      : null;
    const dialog = h('div', {
      id: 'modal', class: 'modal', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'modal-title',
      'data-view-id': view.id, 'data-callback-id': view.callback_id || null,
    },
    h('header', { class: 'modal-header' },
      h('h2', { id: 'modal-title', class: 'modal-title' }, plainString(view.title))),
    h('div', { class: 'modal-body' }, renderBlocks(view.blocks, viewCtx(view))),
    h('footer', { class: 'modal-footer' }, closeButton, submitButton));
    root.replaceChildren(h('div', { class: 'overlay', id: 'modal-overlay' }, dialog));

    $('.modal-body', root).scrollTop = scroll;
    if (sameView) restoreFocus(root, focus);
    else focusFirstField(dialog);
  }

  function focusFirstField(dialog) {
    const field = dialog.querySelector('.modal-body input, .modal-body textarea, .modal-body select');
    (field || dialog.querySelector('#modal-submit') || dialog.querySelector('#modal-close')).focus();
  }

  /** Remember which field had the focus (and the caret) so a re-render can put it back. */
  function captureFocus(root) {
    const active = document.activeElement;
    if (!active || !root.contains(active)) return null;
    const block = active.closest('[data-block-id]');
    const holder = active.closest('[data-action-id]');
    if (!block || !holder) return null;
    let start = null;
    let end = null;
    try { start = active.selectionStart; end = active.selectionEnd; } catch (err) { /* not a text field */ }
    return { blockId: block.dataset.blockId, actionId: holder.dataset.actionId, value: active.value, start, end };
  }

  function restoreFocus(root, focus) {
    if (!focus) return;
    const blocks = Array.from(root.querySelectorAll('[data-block-id]')).filter((b) => b.dataset.blockId === focus.blockId);
    for (const block of blocks) {
      const holder = Array.from(block.querySelectorAll('[data-action-id]')).find((n) => n.dataset.actionId === focus.actionId);
      if (!holder) continue;
      const target = holder.matches('input, textarea, select, button') ? holder : holder.querySelector(`input[value="${CSS.escape(focus.value || '')}"]`) || holder.querySelector('input');
      if (!target) return;
      target.focus();
      if (focus.start !== null && typeof target.setSelectionRange === 'function') {
        try { target.setSelectionRange(focus.start, focus.end); } catch (err) { /* type=number etc. */ }
      }
      return;
    }
  }

  /** Disable the modal's buttons while its submit/close is in flight (no re-render). */
  function setViewPending(viewId, pending) {
    if (pending) pendingViews.add(viewId);
    else pendingViews.delete(viewId);
    const dialog = $('#modal');
    if (!dialog || dialog.dataset.viewId !== viewId) return;
    for (const id of ['modal-close', 'modal-submit']) {
      const button = $(`#${id}`, dialog);
      if (button) button.disabled = pending;
    }
  }

  async function withViewPending(view, body) {
    if (pendingViews.has(view.id)) return;
    setViewPending(view.id, true);
    try {
      await post(body);
    } finally {
      setViewPending(view.id, false);
    }
  }

  function submitView(view) {
    return withViewPending(view, { as: me, kind: 'submit', view_id: view.id, state: stateOf(view.id) });
  }

  function closeView(view) {
    return withViewPending(view, { as: me, kind: 'close', view_id: view.id });
  }

  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    if (confirmDone) {
      event.preventDefault();
      confirmDone(false);
      return;
    }
    if (overflowMenu) {
      event.preventDefault();
      const anchor = overflowMenu.anchor;
      closeOverflowMenu();
      anchor.focus();
      return;
    }
    const view = topModal();
    if (view) {
      event.preventDefault();
      closeView(view);
    }
  });

  // ---------------------------------------------------------------- 5. error banner

  function showError(message) {
    const area = $('#banner-area');
    const dismiss = h('button', { type: 'button', class: 'banner-dismiss', 'aria-label': 'Dismiss', onclick: () => area.replaceChildren() }, '×');
    area.replaceChildren(h('div', { id: 'banner', class: 'banner', role: 'alert' },
      h('span', { class: 'banner-text' }, String(message)), dismiss));
  }

  // ---------------------------------------------------------------- 6. server API

  async function post(body) {
    let response;
    try {
      response = await fetch('/sandbox/act', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    } catch (err) {
      showError('Could not reach the sandbox server.');
      return { ok: false, error: 'network' };
    }
    let data;
    try {
      data = await response.json();
    } catch (err) {
      data = { ok: false, error: `The sandbox server answered HTTP ${response.status}.` };
    }
    if (!data || !data.ok) showError((data && data.error) || 'Something went wrong.');
    return data || { ok: false };
  }

  let pollGeneration = 0;
  let pollController = null;
  let wakeUp = null;

  function sleep(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeUp = () => { clearTimeout(timer); resolve(); };
    });
  }

  /** Long-poll forever; a person switch aborts the pending request and starts over. */
  async function pollLoop() {
    for (;;) {
      const generation = pollGeneration;
      const controller = new AbortController();
      pollController = controller;
      const params = new URLSearchParams();
      if (me) params.set('as', me);
      params.set('after', String(after));
      try {
        const response = await fetch(`/sandbox/state?${params}`, { signal: controller.signal, cache: 'no-store' });
        if (!response.ok) {
          // A remembered person (?as=) the server does not know: let the server pick one.
          if (!state && me && response.status >= 400 && response.status < 500) me = null;
          throw new Error(`HTTP ${response.status}`);
        }
        const data = await response.json();
        if (generation !== pollGeneration) continue;  // answer for the previous person
        $('#connection').hidden = true;
        applyState(data);
      } catch (err) {
        if (generation !== pollGeneration) continue;  // aborted on purpose: ask again now
        $('#connection').hidden = false;
        await sleep(1000);
      }
    }
  }

  function restartPoll() {
    pollGeneration += 1;
    after = -1;
    if (pollController) pollController.abort();
    if (wakeUp) wakeUp();
  }

  function applyState(data) {
    if (!data || typeof data !== 'object') return;
    const unchanged = state && data.version === state.version && data.me === state.me;
    const previousChannel = state && channelsById.get(currentChannel);
    state = data;
    after = typeof data.version === 'number' ? data.version : after;
    if (unchanged) return;
    const personChanged = data.me && data.me !== me;
    if (data.me) me = data.me;
    peopleById = new Map((data.people || []).map((p) => [p.id, p]));
    channelsById = new Map((data.channels || []).map((c) => [c.id, c]));
    dirSig = JSON.stringify([data.people, data.channels]);
    // After a person switch the DM is another channel id: follow it to the new person's DM.
    if (!currentChannel || (personChanged && previousChannel && previousChannel.kind === 'dm')) {
      currentChannel = defaultChannel();
    }
    rememberPerson();
    render();
  }

  function rememberPerson() {
    if (!me) return;
    const url = new URL(location.href);
    if (url.searchParams.get('as') === me) return;
    url.searchParams.set('as', me);
    history.replaceState(null, '', url);
  }

  // ---------------------------------------------------------------- 7. static controls

  function switchPerson(personId) {
    if (!personId || personId === me) return;
    const previous = channelsById.get(currentChannel);
    me = personId;
    closeOverflowMenu();
    if (confirmDone) confirmDone(false);
    if (previous && previous.kind === 'dm') currentChannel = null;  // pick the new person's DM
    Object.keys(rendered).forEach((key) => { rendered[key] = ''; });
    stickToBottom = true;
    rememberPerson();
    restartPoll();
    if (currentChannel === 'home') post({ as: me, kind: 'open_home' });
  }

  /** "/alliance rest" → command text "rest"; "/alliance" → ""; anything else → null. */
  function parseCommand(text) {
    const trimmed = text.trim();
    if (trimmed === '/alliance') return '';
    if (trimmed.startsWith('/alliance ')) return trimmed.slice('/alliance '.length).trim();
    return null;
  }

  async function sendComposer() {
    const composer = $('#composer');
    const send = $('#send');
    const text = composer.value;
    if (!text.trim() || composer.disabled || !currentChannel || currentChannel === 'home') return;
    const command = parseCommand(text);
    const channel = currentChannel;
    composer.value = '';
    autoGrow();
    stickToBottom = true;
    let result;
    if (command !== null) {
      // A slash command can take a few seconds: keep the composer disabled meanwhile.
      composer.disabled = true;
      send.disabled = true;
      try {
        result = await post({ as: me, kind: 'command', channel, text: command });
      } finally {
        composer.disabled = false;
        send.disabled = false;
      }
    } else {
      result = await post({ as: me, kind: 'message', channel, text: text.trim() });
    }
    if (!result.ok && !composer.value) {
      composer.value = text;
      autoGrow();
    }
    composer.focus();
  }

  function autoGrow() {
    const composer = $('#composer');
    composer.style.height = 'auto';
    composer.style.height = `${Math.min(composer.scrollHeight, 200)}px`;
  }

  async function moveClock(body) {
    if (clockPending || (state && state.busy)) return;
    clockPending = true;
    if (state) renderTopbar();
    try {
      await post(body);
    } finally {
      clockPending = false;
      if (state) renderTopbar();
    }
  }

  function wire() {
    $('#person').addEventListener('change', (event) => switchPerson(event.target.value));
    $('#plus-day').addEventListener('click', () => moveClock({ kind: 'clock', advance_seconds: 86400 }));
    $('#plus-week').addEventListener('click', () => moveClock({ kind: 'clock', advance_seconds: 7 * 86400 }));
    $('#jump').addEventListener('click', () => {
      const date = $('#jump-date').value;
      if (date) moveClock({ kind: 'clock', to: date });
      else showError('Pick a date to jump to.');
    });
    const composer = $('#composer');
    composer.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        sendComposer();
      }
    });
    composer.addEventListener('input', autoGrow);
    $('#send').addEventListener('click', sendComposer);
    const list = $('#messages');
    list.addEventListener('scroll', () => {
      stickToBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
    });
    window.addEventListener('resize', closeOverflowMenu);
  }

  function start() {
    const requested = new URL(location.href).searchParams.get('as');
    if (requested) me = requested;  // otherwise the server picks the default person
    wire();
    pollLoop();
  }

  // For debugging from the console or from tests.
  window.allianceSandbox = { get state() { return state; }, get person() { return me; }, renderMrkdwn };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
