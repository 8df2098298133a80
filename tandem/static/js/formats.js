// How Tandem writes money, numbers and dates in charts: the rules of tandem/core/formats.py, so a
// chart's tooltip reads like the table beside it. Charts call window.TandemFormats, never Intl or
// toFixed themselves (tandem/core/tests/test_formats.py checks).
(function () {
  "use strict";
  const MISSING = "—";
  const WHOLE_UNITS_FROM = 1000;
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const grouped = (digits) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const missing = (value) => value === null || value === undefined || value === "" || Number.isNaN(Number(value));

  // Rounds half away from zero on the decimal digits as written ("1.45" → 1.5), as Python's
  // ROUND_HALF_UP does: scaling through the exponent of a decimal string keeps ties exact where
  // multiplying the binary float would not. Returns the units of 10^-places, as an integer.
  function scaled(value, places) {
    const abs = Math.abs(Number(value));
    const shifted = Number(String(abs) + "e" + places);
    return Math.round(Number.isNaN(shifted) ? abs * 10 ** places : shifted);
  }

  function digits(units, places, negative) {
    const text = String(units).padStart(places + 1, "0");
    const whole = places ? text.slice(0, -places) : text;
    const sign = negative && units !== 0 ? "-" : "";
    return sign + grouped(whole) + (places ? "." + text.slice(-places) : "");
  }

  function number(value, places = 0) {
    if (missing(value)) return MISSING;
    return digits(scaled(value, places), places, Number(value) < 0);
  }

  function money(amount, currency) {
    if (missing(amount)) return MISSING;
    const value = Number(amount);
    const whole = Math.abs(value) >= WHOLE_UNITS_FROM || Number.isInteger(value);
    return `${number(amount, whole ? 0 : 2)} ${currency}`;
  }

  function moneyCompact(amount, currency) {
    if (missing(amount)) return MISSING;
    const value = Number(amount);
    for (const [exponent, suffix] of [[9, "B"], [6, "M"], [3, "K"]]) {
      if (Math.abs(value) >= 10 ** exponent) {
        const tenths = Math.round(Number(String(Math.abs(value)) + "e-" + (exponent - 1)));
        return `${digits(tenths, 1, value < 0).replace(/\.0$/, "")}${suffix} ${currency}`;
      }
    }
    return money(scaled(amount, 0) * (value < 0 ? -1 : 1), currency);
  }

  // "2026-12-03" (a day, as the server sends it) → "3 Dec 2026"
  function dateShort(isoDay) {
    if (!isoDay) return MISSING;
    const [year, month, day] = isoDay.slice(0, 10).split("-").map(Number);
    return `${day} ${MONTHS[month - 1]} ${year}`;
  }

  window.TandemFormats = { number, money, moneyCompact, dateShort };
})();
