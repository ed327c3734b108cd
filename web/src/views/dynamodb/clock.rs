//! The playground's clock: its current (fast-forwarded) time and the control that moves it on, so
//! a person can watch Time to Live expire items (AWS deletes them in the background some time after
//! their expiry; the playground does it on the first call after the clock passes it).
use crate::api::{format_time, use_playground};
use leptos::prelude::*;
use std::time::Duration;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// The units the custom amount is counted in.
const UNITS: [(&str, i64); 3] = [("minutes", MINUTE), ("hours", HOUR), ("days", DAY)];

/// "2 h 30 min", "1 d": how far a duration reaches, to the nearest minute.
pub fn duration_text(millis: i64) -> String {
    let minutes = (millis.max(0) + MINUTE / 2) / MINUTE;
    let (d, h, m) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let parts: Vec<String> = [(d, "d"), (h, "h"), (m, "min")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n} {unit}"))
        .collect();
    if parts.is_empty() {
        "less than a minute".into()
    } else {
        parts.join(" ")
    }
}

/// The amount the custom control asks for, in milliseconds, if it is a positive number.
pub fn custom_millis(amount: &str, unit: &str) -> Option<i64> {
    let n: f64 = amount.trim().parse().ok().filter(|n: &f64| *n > 0.0)?;
    let per = UNITS.iter().find(|(u, _)| *u == unit)?.1;
    Some((n * per as f64).round() as i64)
}

#[component]
pub fn Clock(
    /// Runs after each fast-forward, with the milliseconds moved.
    on_advanced: Callback<i64>,
) -> impl IntoView {
    let pg = use_playground();
    let now = RwSignal::new(pg.get_value().now_millis());
    if let Ok(tick) = set_interval_with_handle(
        move || {
            now.try_set(pg.get_value().now_millis());
        },
        Duration::from_secs(1),
    ) {
        on_cleanup(move || tick.clear());
    }
    let amount = RwSignal::new("2".to_string());
    let unit = RwSignal::new("hours".to_string());
    let advance = move |millis: i64| {
        let playground = pg.get_value();
        playground.fast_forward(millis);
        now.set(playground.now_millis());
        on_advanced.run(millis);
    };
    // The fast-forward so far: the playground's time less the wall clock's, read together.
    let ahead = move || {
        now.track();
        pg.get_value().now_millis() - js_sys::Date::now() as i64
    };
    view! {
        <div class="clock">
            <span class="clock-label">"Playground time"</span>
            <span class="clock-now mono">{move || format_time(now.get() as f64 / 1000.0)}</span>
            <span class="clock-ahead chip">{move || match ahead() {
                a if a < MINUTE / 2 => "real time".to_string(),
                a => format!("{} ahead", duration_text(a)),
            }}</span>
            <span class="spacer"></span>
            <button name="forward-hour" title="Move the playground's clock on one hour" on:click=move |_| advance(HOUR)>"+1 hour"</button>
            <button name="forward-day" title="Move the playground's clock on one day" on:click=move |_| advance(DAY)>"+1 day"</button>
            <form class="inline" on:submit=move |ev| {
                ev.prevent_default();
                if let Some(millis) = custom_millis(&amount.get_untracked(), &unit.get_untracked()) {
                    advance(millis);
                }
            }>
                <input name="forward-amount" class="narrow" type="number" min="0" step="any" required
                    prop:value=move || amount.get() on:input=move |ev| amount.set(event_target_value(&ev)) />
                <select name="forward-unit" prop:value=move || unit.get() on:change=move |ev| unit.set(event_target_value(&ev))>
                    {UNITS.iter().map(|(u, _)| view! { <option value=*u>{*u}</option> }).collect_view()}
                </select>
                <button type="submit" name="forward">"Fast-forward"</button>
            </form>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration_text(2 * HOUR), "2 h");
        assert_eq!(duration_text(DAY + 90 * MINUTE), "1 d 1 h 30 min");
        assert_eq!(duration_text(2 * HOUR - 900), "2 h");
        assert_eq!(duration_text(20_000), "less than a minute");
    }

    #[test]
    fn custom_amounts() {
        assert_eq!(custom_millis("2", "hours"), Some(2 * HOUR));
        assert_eq!(custom_millis("1.5", "days"), Some(36 * HOUR));
        assert_eq!(custom_millis("0", "hours"), None);
        assert_eq!(custom_millis("-3", "hours"), None);
        assert_eq!(custom_millis("x", "hours"), None);
    }
}
