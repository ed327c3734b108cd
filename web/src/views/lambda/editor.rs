//! The CodeMirror editor from web/js/editor.js (`window.nimbus.editor`), seen from Rust.
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// What `nimbus.editor.create` returns.
    type JsEditor;

    #[wasm_bindgen(js_namespace = ["nimbus", "editor"], js_name = create)]
    fn create(element: &web_sys::HtmlElement, text: &str, options: &JsValue) -> JsEditor;

    #[wasm_bindgen(method, js_name = setText)]
    fn set_text(this: &JsEditor, text: &str, file_name: &str);

    #[wasm_bindgen(method)]
    fn focus(this: &JsEditor);

    #[wasm_bindgen(method)]
    fn destroy(this: &JsEditor);
}

/// What the editor tells its owner.
pub struct Callbacks {
    pub on_change: Box<dyn FnMut(String)>,
    pub on_save: Box<dyn FnMut()>,
    pub on_run: Box<dyn FnMut()>,
}

/// A mounted editor. The Rust closures live as long as it does; [`Editor::destroy`] unmounts it.
pub struct Editor {
    js: JsEditor,
    _on_change: Closure<dyn FnMut(String)>,
    _on_save: Closure<dyn FnMut()>,
    _on_run: Closure<dyn FnMut()>,
}

impl Editor {
    pub fn mount(
        element: &web_sys::HtmlElement,
        file_name: &str,
        text: &str,
        callbacks: Callbacks,
    ) -> Editor {
        let on_change = Closure::wrap(callbacks.on_change);
        let on_save = Closure::wrap(callbacks.on_save);
        let on_run = Closure::wrap(callbacks.on_run);
        let options = js_sys::Object::new();
        let set = |key: &str, value: &JsValue| {
            let _ = js_sys::Reflect::set(&options, &key.into(), value);
        };
        set("fileName", &file_name.into());
        set("onChange", on_change.as_ref().unchecked_ref());
        set("onSave", on_save.as_ref().unchecked_ref());
        set("onRun", on_run.as_ref().unchecked_ref());
        let js = create(element, text, &options);
        Editor {
            js,
            _on_change: on_change,
            _on_save: on_save,
            _on_run: on_run,
        }
    }

    pub fn show(&self, file_name: &str, text: &str) {
        self.js.set_text(text, file_name);
    }

    pub fn focus(&self) {
        self.js.focus();
    }

    pub fn destroy(&self) {
        self.js.destroy();
    }
}

/// Resolves once editor.js has run: it is a deferred script, and the wasm app may start first.
pub async fn ready() -> bool {
    for _ in 0..100 {
        let nimbus = js_sys::Reflect::get(&js_sys::global(), &"nimbus".into()).ok();
        let editor = nimbus
            .filter(|n| n.is_object())
            .and_then(|n| js_sys::Reflect::get(&n, &"editor".into()).ok());
        if editor.is_some_and(|e| e.is_object()) {
            return true;
        }
        sleep_ms(50).await;
    }
    false
}

pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .expect("a window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
