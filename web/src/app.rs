//! The shell: header bar, and either the playground list or one open playground.
use crate::route::Route;
use crate::views::{playground::PlaygroundView, playground_list::PlaygroundList, share::SharePage};
use leptos::prelude::*;

/// Where the app is; written only through [`navigate`], read anywhere.
#[derive(Clone, Copy)]
pub struct CurrentRoute(pub ReadSignal<Route>);

pub fn use_route() -> ReadSignal<Route> {
    expect_context::<CurrentRoute>().0
}

/// Moves to `route` by changing the hash; the `hashchange` listener in [`App`] does the rest,
/// so the back button and a typed URL go through the same path.
pub fn navigate(route: &Route) {
    let _ = window().location().set_hash(&route.href());
}

fn current_hash() -> String {
    window().location().hash().unwrap_or_default()
}

#[component]
pub fn App() -> impl IntoView {
    let (route, set_route) = signal(Route::parse(&current_hash()));
    provide_context(CurrentRoute(route));
    let listener = window_event_listener(leptos::ev::hashchange, move |_| {
        set_route.set(Route::parse(&current_hash()))
    });
    on_cleanup(move || listener.remove());

    // Only a change of playground reopens it; moving between its views keeps it open.
    let playground_id = Memo::new(move |_| route.with(Route::playground_id));
    let shared = Memo::new(move |_| match route.get() {
        Route::Share(fragment) => Some(fragment),
        _ => None,
    });

    view! {
        <header class="topbar">
            <a class="brand" href="#/">
                <svg class="logo" viewBox="0 0 32 32" aria-hidden="true">
                    <path d="M9 26a7 7 0 0 1-.6-14A9 9 0 0 1 26 13.5 6.3 6.3 0 0 1 24.5 26z" />
                </svg>
                "Nimbus"
            </a>
            <span class="tagline">"AWS serverless in one browser tab"</span>
        </header>
        {move || match playground_id.get() {
            None => match shared.get() {
                Some(fragment) => view! { <SharePage fragment /> }.into_any(),
                None => view! { <PlaygroundList /> }.into_any(),
            },
            Some(id) => view! { <PlaygroundView id /> }.into_any(),
        }}
    }
}
