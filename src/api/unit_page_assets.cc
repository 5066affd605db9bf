// The unit page shell: its stylesheet and its script (inline, so the page
// needs nothing from outside). The script posts to the blocks' handler URLs
// with the CSRF token of the page and shows the replies.
#include <string>
#include <string_view>

#include "larch/common/html.h"
#include "unit_page_render.h"

namespace larch::api::internal {
namespace {

constexpr std::string_view kStyle = R"CSS(
:root{--ink:#1f2328;--muted:#57606a;--line:#d0d7de;--brand:#0a66c2;--bg:#fff;--soft:#f6f8fa;
--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700}
*{box-sizing:border-box}
html{font-size:100%}
body{margin:0;padding:1rem 1.25rem;color:var(--ink);background:var(--bg);
font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:56rem;margin:0 auto}
h1{font-size:1.6rem;margin:.25rem 0 1rem}
h2{font-size:1.25rem;margin:0 0 .75rem}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;
clip:rect(0,0,0,0);white-space:nowrap;border:0}
a{color:var(--brand)}
:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}
.xblock{border-top:1px solid var(--line);padding:1.25rem 0}
.xblock:first-of-type{border-top:0}
img,video,iframe{max-width:100%}
video{width:100%;background:#000;border-radius:4px}
iframe{border:0;width:100%}
.embed{aspect-ratio:16/9;width:100%;height:auto;min-height:20rem;border:1px solid var(--line)}
button,.btn{font:inherit;padding:.45rem 1rem;border-radius:4px;border:1px solid var(--brand);
background:#fff;color:var(--brand);cursor:pointer}
button.primary{background:var(--brand);color:#fff}
button:disabled{opacity:.5;cursor:not-allowed}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:1rem}
.notification{margin-top:.75rem;padding:.6rem .8rem;border-radius:4px;border-left:4px solid var(--muted);
background:var(--soft)}
.notification[hidden]{display:none}
.notification.correct{border-color:var(--ok)}
.notification.incorrect,.notification.error{border-color:var(--bad)}
.panel{padding:1rem;border:1px dashed var(--line);border-radius:6px;background:var(--soft)}
.meta{color:var(--muted);font-size:.9rem;margin:.25rem 0 .75rem}
.problem .inputtype{margin:.5rem 0}
.problem input[type=text],.problem textarea,.problem select,.word-cloud input[type=text]{font:inherit;
padding:.35rem .5rem;border:1px solid var(--muted);border-radius:4px;min-width:12rem}
.problem fieldset,.poll fieldset,.survey fieldset{border:0;padding:0;margin:0}
.problem .field,.poll .field{margin:.3rem 0}
.field input[type=radio],.field input[type=checkbox]{margin:0 .5rem 0 0;width:1.05rem;height:1.05rem;
vertical-align:-.15rem}
.field label{cursor:pointer}
.status{display:inline-block;margin-left:.5rem;font-weight:600}
.status.correct::after{content:"\2713\00a0 correct";color:var(--ok)}
.status.incorrect::after{content:"\2717\00a0 incorrect";color:var(--bad)}
.status.partially-correct::after{content:"partially correct";color:var(--warn)}
.status .sr{position:absolute;left:-9999px}
.answer-shown,.solution-span span:not(:empty){display:block;margin:.35rem 0;padding:.4rem .6rem;
background:#fff8c5;border-radius:4px}
.results{margin-top:1rem}
.bar{display:grid;grid-template-columns:minmax(8rem,14rem) 1fr 3.5rem;gap:.5rem;align-items:center;
margin:.3rem 0}
.bar .track{background:var(--soft);border:1px solid var(--line);height:1.1rem;border-radius:3px}
.bar .fill{background:var(--brand);height:100%;border-radius:2px}
.bar.mine .label{font-weight:700}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid var(--line);padding:.4rem;text-align:left}
td.choice,.survey th:not(:first-child){text-align:center}
.word-cloud ul.cloud{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.25rem .9rem}
.annotatable-span{padding:0 .1rem;border-radius:2px;cursor:help}
.highlight-yellow{background:#fff3a3}.highlight-orange{background:#ffd8a8}
.highlight-purple{background:#e5dbff}.highlight-blue{background:#d0ebff}
.highlight-green{background:#d3f9d8}
.annotation-note{display:none;margin:.25rem 0;padding:.4rem .6rem;background:var(--soft);
border-left:3px solid var(--muted)}
.annotatable-span:hover+.annotation-note,.annotatable-span:focus+.annotation-note{display:block}
.unsupported{border-color:var(--warn)}
.panel>:first-child{margin-top:0}.panel>:last-child{margin-bottom:0}
)CSS";

constexpr std::string_view kScript = R"JS(
(function () {
  'use strict';
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.content : '';
  function post(url, body, type) {
    var headers = {'X-CSRFToken': csrf, 'X-Requested-With': 'XMLHttpRequest',
                   'Accept': 'application/json'};
    if (type) headers['Content-Type'] = type;
    return fetch(url, {method: 'POST', credentials: 'same-origin', headers: headers, body: body})
      .then(function (r) {
        return r.text().then(function (t) {
          var j = null;
          try { j = JSON.parse(t); } catch (e) { j = null; }
          if (!r.ok) {
            throw new Error((j && (j.detail || j.error || j.developer_message)) ||
                            ('The server answered ' + r.status + '.'));
          }
          if (j === null) throw new Error('The server sent a reply this page cannot read.');
          return j;
        });
      });
  }
  function postJson(url, value) { return post(url, JSON.stringify(value), 'application/json'); }
  function formBody(form) {
    var p = new URLSearchParams();
    new FormData(form).forEach(function (v, k) { p.append(k, v); });
    return p.toString();
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function notify(section, text, kind) {
    var n = section.querySelector('.notification');
    if (!n) return;
    n.textContent = text || '';
    n.className = 'notification' + (kind ? ' ' + kind : '');
    n.hidden = !text;
  }
  function fail(section) { return function (e) { notify(section, e.message, 'error'); }; }

  // Capa problems: xmodule_handler/problem_check|problem_save|problem_reset|problem_show.
  var verdicts = {correct: 'Correct', incorrect: 'Incorrect', submitted: 'Submitted'};
  function progress(section, reply) {
    var p = section.querySelector('.problem-progress');
    if (p && typeof reply.total_possible === 'number') {
      var total = reply.total_possible, unit = total === 1 ? ' point' : ' points';
      p.textContent = (reply.current_score === null || reply.current_score === undefined ||
                       !reply.attempts_used) ? '(' + total + unit + ' possible)'
                      : '(' + reply.current_score + '/' + total + unit + ')';
    }
    var a = section.querySelector('.attempts');
    if (a && typeof reply.attempts_used === 'number') {
      var max = a.getAttribute('data-max-attempts');
      a.textContent = max ? 'You have used ' + reply.attempts_used + ' of ' + max + ' attempts'
                          : '';
    }
  }
  function showAnswers(section, answers) {
    section.querySelectorAll('.answer-shown').forEach(function (n) { n.remove(); });
    Object.keys(answers).forEach(function (id) {
      var value = answers[id];
      var solution = section.querySelector('[id="solution_' + id + '"]');
      if (solution) { solution.innerHTML = value; return; }
      var status = section.querySelector('[id="status_' + id + '"]');
      if (!status) return;
      var text = value;
      if (Array.isArray(value)) {
        text = value.map(function (name) {
          var input = section.querySelector('input[value="' + CSS.escape(name) + '"]');
          var label = input && section.querySelector('label[for="' + CSS.escape(input.id) + '"]');
          return label ? label.textContent.trim() : name;
        }).join(', ');
      }
      var shown = el('span', 'answer-shown', 'Answer: ' + text);
      status.parentNode.insertBefore(shown, status.nextSibling);
    });
  }
  function problem(section) {
    var form = section.querySelector('form.problem-form');
    var body = section.querySelector('.problem-body');
    var url = section.getAttribute('data-handler') + 'xmodule_handler/';
    function run(action) {
      var data = (action === 'problem_check' || action === 'problem_save') ? formBody(form) : '';
      notify(section, 'Working\u2026', '');
      post(url + action, data, 'application/x-www-form-urlencoded').then(function (reply) {
        progress(section, reply);
        if (action === 'problem_check') {
          if (typeof reply.contents === 'string') body.innerHTML = reply.contents;
          var verdict = verdicts[reply.success];
          notify(section, verdict || String(reply.success), verdict ? reply.success : 'error');
        } else if (action === 'problem_show') {
          if (reply.answers) { showAnswers(section, reply.answers); notify(section, 'Answers are shown.', ''); }
          else notify(section, String(reply.success), 'error');
        } else {
          if (typeof reply.html === 'string') body.innerHTML = reply.html;
          notify(section, reply.msg || (reply.success === true ? 'Done.' : String(reply.success)),
                 reply.success === true ? '' : 'error');
        }
      }).catch(fail(section));
    }
    form.addEventListener('submit', function (e) { e.preventDefault(); run('problem_check'); });
    section.querySelectorAll('button[data-action]').forEach(function (b) {
      if (b.type === 'submit') return;
      b.addEventListener('click', function () { run(b.getAttribute('data-action')); });
    });
  }

  function bar(label, percent, count, mine) {
    var row = el('div', 'bar' + (mine ? ' mine' : ''));
    row.appendChild(el('span', 'label', label + (mine ? ' (your answer)' : '')));
    var track = el('span', 'track');
    var fill = el('span', 'fill');
    fill.style.display = 'block';
    fill.style.width = percent + '%';
    track.appendChild(fill);
    track.setAttribute('role', 'img');
    track.setAttribute('aria-label', percent + '% (' + count + ')');
    row.appendChild(track);
    row.appendChild(el('span', 'pct', percent + '%'));
    return row;
  }
  function pollResults(section, r) {
    var box = section.querySelector('.results');
    box.textContent = '';
    if (!Array.isArray(r.tally)) { box.appendChild(el('p', '', 'Thank you. The results are private.')); return; }
    box.appendChild(el('h3', '', 'Results'));
    r.tally.forEach(function (t) { box.appendChild(bar(t.answer, t.percent, t.count, t.choice)); });
    box.appendChild(el('p', 'meta', r.total + (r.total === 1 ? ' response' : ' responses')));
  }
  function surveyResults(section, r) {
    var box = section.querySelector('.results');
    box.textContent = '';
    if (!Array.isArray(r.tally)) { box.appendChild(el('p', '', 'Thank you. The results are private.')); return; }
    box.appendChild(el('h3', '', 'Results'));
    var table = el('table'), head = el('tr');
    head.appendChild(el('th', '', 'Question'));
    r.answers.forEach(function (a) { head.appendChild(el('th', '', a.label)); });
    table.appendChild(head);
    r.tally.forEach(function (q) {
      var row = el('tr');
      row.appendChild(el('th', '', q.label));
      q.answers.forEach(function (a) {
        row.appendChild(el('td', 'choice', a.percent + '%' + (a.choice ? ' (yours)' : '')));
      });
      table.appendChild(row);
    });
    box.appendChild(table);
    box.appendChild(el('p', 'meta', r.total + (r.total === 1 ? ' response' : ' responses')));
  }
  function voting(section, kind) {
    var form = section.querySelector('form');
    if (!form) return;
    var url = section.getAttribute('data-handler');
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var data = {};
      new FormData(form).forEach(function (v, k) { data[k] = v; });
      postJson(url + 'vote', data).then(function (reply) {
        if (!reply.success) { notify(section, reply.errors.join(' '), 'error'); return null; }
        notify(section, 'Thank you for your vote.', 'correct');
        if (!reply.can_vote) form.querySelectorAll('input,button').forEach(function (i) { i.disabled = true; });
        return postJson(url + 'get_results', {});
      }).then(function (r) {
        if (r) (kind === 'poll' ? pollResults : surveyResults)(section, r);
      }).catch(fail(section));
    });
  }
  function cloud(section, state) {
    var box = section.querySelector('.results');
    box.textContent = '';
    if (!state.submitted) return;
    box.appendChild(el('h3', '', 'Word cloud'));
    var mine = Object.keys(state.student_words);
    box.appendChild(el('p', '', 'Your words: ' + (mine.length ? mine.join(', ') : '(none)')));
    var list = el('ul', 'cloud'), biggest = 1;
    state.top_words.forEach(function (w) { biggest = Math.max(biggest, w.size); });
    state.top_words.forEach(function (w) {
      var li = el('li', '', w.text);
      li.style.fontSize = (1 + 1.5 * w.size / biggest).toFixed(2) + 'rem';
      if (state.display_student_percents) li.title = w.percent + '%';
      list.appendChild(li);
    });
    box.appendChild(list);
    box.appendChild(el('p', 'meta', 'Total number of words: ' + state.total_count));
  }
  function wordCloud(section) {
    var form = section.querySelector('form');
    if (!form) return;
    var url = section.getAttribute('data-handler') + 'xmodule_handler/';
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      post(url + 'submit', formBody(form), 'application/x-www-form-urlencoded').then(function (s) {
        if (s.status !== 'success') { notify(section, s.error, 'error'); return; }
        form.hidden = true;
        notify(section, 'Your words were saved.', 'correct');
        cloud(section, s);
      }).catch(fail(section));
    });
  }

  // Completion: a block marked complete-on-view is complete once it has been
  // on screen for its delay; a video once played to 95% (the LMS's rules).
  function publishCompletion(section) {
    return postJson(section.getAttribute('data-handler') + 'publish_completion', {completion: 1.0});
  }
  function markOnView(section) {
    var delay = parseInt(section.getAttribute('data-mark-completed-on-view-after-delay'), 10) || 0;
    var timer = null;
    if (!('IntersectionObserver' in window)) { setTimeout(function () { publishCompletion(section); }, delay); return; }
    var seen = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting && !timer) {
          timer = setTimeout(function () { seen.disconnect(); publishCompletion(section); }, delay);
        } else if (!e.isIntersecting && timer) {
          clearTimeout(timer);
          timer = null;
        }
      });
    });
    seen.observe(section);
  }
  function videoCompletion(section) {
    var video = section.querySelector('video');
    if (!video) return;
    var sent = false;
    function check() {
      if (sent || !video.duration) return;
      if (video.ended || video.currentTime / video.duration >= 0.95) {
        sent = true;
        publishCompletion(section).catch(function () { sent = false; });
      }
    }
    video.addEventListener('timeupdate', check);
    video.addEventListener('ended', check);
  }

  document.querySelectorAll('section.xblock').forEach(function (section) {
    var type = section.getAttribute('data-block-type');
    if (section.hasAttribute('data-mark-completed-on-view-after-delay')) markOnView(section);
    if (type === 'video') videoCompletion(section);
    if (type === 'problem' && section.querySelector('form.problem-form')) problem(section);
    else if (type === 'poll' || type === 'survey') voting(section, type);
    else if (type === 'word_cloud') wordCloud(section);
  });
})();
)JS";

}  // namespace

std::string HtmlEscape(std::string_view text) { return HtmlEscaped(text); }

std::string RenderUnitPage(const UnitPage& page) {
  std::string out;
  out.reserve(8192);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta name=\"csrf-token\" content=\"" + HtmlEscape(page.csrf_token) + "\">\n";
  out += "<title>" + HtmlEscape(page.title) + "</title>\n<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n<main id=\"main\" data-usage-id=\"" +
         HtmlEscape(page.usage_key) + "\">\n";
  out += std::string("<h1") + (page.show_title ? "" : " class=\"sr-only\"") + ">" +
         HtmlEscape(page.title) + "</h1>\n";
  for (const std::string& section : page.sections) out += section + "\n";
  if (page.sections.empty()) out += "<p class=\"panel\">There is no content here yet.</p>\n";
  out += "</main>\n<script>";
  out += kScript;
  out += "</script>\n</body>\n</html>\n";
  return out;
}

std::string RenderNotFoundPage() {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<title>Page not found</title>\n<style>";
  out += kStyle;
  out +=
      "</style>\n</head>\n<body>\n<main>\n<h1>Page not found</h1>\n"
      "<p>This content does not exist, or you do not have access to it.</p>\n</main>\n"
      "</body>\n</html>\n";
  return out;
}

}  // namespace larch::api::internal
