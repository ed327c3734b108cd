// The code editor of the Lambda function page: CodeMirror 6 with JavaScript highlighting.
// Bundled by esbuild (post_build hook in Trunk.toml) into editor.js beside index.html; the Rust
// side (web/src/views/lambda/editor.rs) calls `window.nimbus.editor.create(...)`.
import { EditorView, basicSetup } from "codemirror";
import { javascript } from "@codemirror/lang-javascript";
import { Compartment, EditorState, Prec } from "@codemirror/state";
import { keymap } from "@codemirror/view";

/** The language for a file name: JavaScript (JSON is highlighted well enough as JS). */
function languageFor(fileName) {
  return javascript({ typescript: /\.ts$/i.test(fileName || "") });
}

/**
 * Mounts an editor in `element` showing `text`.
 * `options`: { fileName, onChange(text), onSave(), onRun() }. Mod-S and Mod-Enter (Ctrl on Linux
 * and Windows, Cmd on macOS) run onSave / onRun and are consumed, so the browser's "Save page"
 * dialog never opens and CodeMirror's own Mod-Enter (insert blank line) does not fire.
 * Returns { getText, setText(text, fileName), focus, destroy }.
 */
function create(element, text, options = {}) {
  const language = new Compartment();
  // setText replaces the whole document; it is not an edit the person made.
  let replacing = false;
  const keys = Prec.highest(
    keymap.of([
      { key: "Mod-s", preventDefault: true, run: () => (options.onSave?.(), true) },
      { key: "Mod-Enter", preventDefault: true, run: () => (options.onRun?.(), true) },
    ]),
  );
  const view = new EditorView({
    parent: element,
    state: EditorState.create({
      doc: text,
      extensions: [
        keys,
        basicSetup,
        language.of(languageFor(options.fileName)),
        // The editor shares the row with the result panel: wrap rather than scroll sideways.
        EditorView.lineWrapping,
        EditorView.updateListener.of((update) => {
          if (update.docChanged && !replacing) options.onChange?.(update.state.doc.toString());
        }),
      ],
    }),
  });
  const handle = {
    getText: () => view.state.doc.toString(),
    setText(newText, fileName) {
      replacing = true;
      try {
        view.dispatch({
          changes: { from: 0, to: view.state.doc.length, insert: newText },
          effects: language.reconfigure(languageFor(fileName)),
          selection: { anchor: 0 },
          scrollIntoView: true,
        });
      } finally {
        replacing = false;
      }
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
  // For tests and the console: the handle of the editor in this element.
  element.nimbusEditor = handle;
  return handle;
}

window.nimbus = { ...(window.nimbus || {}), editor: { create } };
