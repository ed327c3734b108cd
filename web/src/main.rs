//! The Nimbus playground app: mounts [`app::App`]; everything else lives in `app` and `views`.
mod api;
mod app;
mod route;
mod views;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
