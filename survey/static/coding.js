// Coding a deep dive, progressive enhancement only: selecting words in the transcript fills the
// range boxes (start and end, in characters of the stored transcript) and repeats the selection
// under them; the form still posts as it does without JavaScript.
//
// Each line of the transcript is its own <span data-start data-end> holding exactly those
// characters, so offsets are counted per line and never depend on how the browser turned the
// line breaks between lines (\r\n or \n) into text. A selection edge that falls between lines (or
// on a checkbox or label) moves to the nearest line edge inside the selection. Characters are counted
// as the server counts them, in code points: an emoji is one character there, two UTF-16 units here.
(function () {
  "use strict";
  var transcript = document.querySelector("[data-transcript]");
  var startBox = document.getElementById("start");
  var endBox = document.getElementById("end");
  var preview = document.querySelector("[data-selection-preview]");
  if (!transcript || !startBox || !endBox || !preview || !window.getSelection) { return; }
  preview.hidden = false;
  var lines = Array.prototype.slice.call(transcript.querySelectorAll("span[data-start]"));

  function lineOf(node) {
    var element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    return element ? element.closest("span[data-start]") : null;
  }

  function characters(text) { return Array.from(text); }

  // Characters of `line` before (node, offset): the text nodes inside it, in order.
  function offsetIn(line, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(line);
    range.setEnd(node, offset);
    return characters(range.toString()).length;
  }

  // The transcript offset of a selection edge; `forward`: an edge outside every line moves to the
  // next line's start (a selection's start), else to the previous line's end (its end).
  function position(node, offset, forward) {
    var line = lineOf(node);
    if (line && transcript.contains(line)) {
      return parseInt(line.getAttribute("data-start"), 10) + offsetIn(line, node, offset);
    }
    var probe = document.createRange();
    probe.setStart(node, offset);
    var found = null;
    lines.forEach(function (candidate) {
      var before = probe.comparePoint(candidate, 0) > 0;  // the line starts after the edge
      if (forward && before && found === null) { found = parseInt(candidate.getAttribute("data-start"), 10); }
      if (!forward && !before) { found = parseInt(candidate.getAttribute("data-end"), 10); }
    });
    return found;
  }

  // The transcript's characters start to end, read from the lines (never a checkbox label between them).
  function selectedWords(start, end) {
    var parts = [];
    lines.forEach(function (line) {
      var from = Math.max(start, parseInt(line.getAttribute("data-start"), 10));
      var to = Math.min(end, parseInt(line.getAttribute("data-end"), 10));
      var base = parseInt(line.getAttribute("data-start"), 10);
      if (from < to) { parts.push(characters(line.textContent).slice(from - base, to - base).join("")); }
    });
    return parts.join(" ").replace(/\s+/g, " ").trim();
  }

  function show() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return; }
    var range = selection.getRangeAt(0);
    if (!transcript.contains(range.startContainer) || !transcript.contains(range.endContainer)) { return; }
    var start = position(range.startContainer, range.startOffset, true);
    var end = position(range.endContainer, range.endOffset, false);
    if (start === null || end === null || end <= start) { return; }
    startBox.value = String(start);
    endBox.value = String(end);
    var words = selectedWords(start, end);
    preview.textContent = "Selected characters " + start + " to " + end + ": \u201c" +
      (characters(words).length > 200 ? characters(words).slice(0, 200).join("") + "\u2026" : words) + "\u201d";
  }

  var pending = null;
  document.addEventListener("selectionchange", function () {
    if (pending !== null) { window.clearTimeout(pending); }
    pending = window.setTimeout(function () { pending = null; show(); }, 150);
  });
})();
