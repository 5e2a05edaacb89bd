//! The console's one stylesheet, inlined in every page (no other request).
//! Colours meet WCAG AA contrast on white; focus is always visible; tables
//! scroll sideways on a phone instead of breaking the layout.

pub const CSS: &str = r#"
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827;background:#f3f4f6}
a{color:#1d4ed8}
a:focus,button:focus,input:focus,select:focus,textarea:focus,summary:focus{outline:3px solid #f59e0b;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:6px;z-index:9}
header.top{display:flex;flex-wrap:wrap;align-items:center;gap:8px 20px;background:#111827;color:#fff;padding:10px 20px}
header.top .brand{font-weight:700;letter-spacing:.2px}
header.top nav ul{display:flex;flex-wrap:wrap;gap:4px;list-style:none;margin:0;padding:0}
header.top nav a{color:#e5e7eb;text-decoration:none;padding:6px 10px;border-radius:6px;display:inline-block}
header.top nav a:hover{background:#374151}
header.top nav a[aria-current=page]{background:#2563eb;color:#fff}
form.logout{margin-left:auto;display:flex;gap:8px;align-items:center;color:#d1d5db;font-size:13px}
form.logout button{background:#374151;color:#fff;border:1px solid #6b7280}
main{max-width:1320px;margin:0 auto;padding:20px}
main.narrow{max-width:420px}
h1{font-size:24px;margin:4px 0 16px}h2{font-size:18px;margin:24px 0 10px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:16px}
.card{background:#fff;border:1px solid #d1d5db;border-radius:10px;padding:14px 16px}
.card h2:first-child{margin-top:0}
table{border-collapse:collapse;width:100%;background:#fff}
.scroll{overflow-x:auto;border:1px solid #d1d5db;border-radius:10px;background:#fff}
th,td{text-align:left;padding:8px 10px;border-bottom:1px solid #e5e7eb;vertical-align:top}
th{background:#f9fafb;font-weight:600;font-size:13px;color:#374151}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;font-weight:600;border:1px solid #9ca3af;background:#f3f4f6;color:#111827;white-space:nowrap}
.s-failed,.s-needs_review,.s-reversed{background:#fee2e2;border-color:#b91c1c;color:#7f1d1d}
.s-created,.s-updated,.s-refunded{background:#dcfce7;border-color:#15803d;color:#14532d}
.s-ignored,.s-skipped{background:#e5e7eb;color:#374151}
.s-posted,.s-pass,.s-matched,.s-refund_matched{background:#dcfce7;border-color:#15803d;color:#14532d}
.s-held,.s-no_sales_order,.s-refund_not_booked,.s-orphan_refund,.s-adjustment_without_order{background:#fef3c7;border-color:#b45309;color:#78350f}
.s-waiting{background:#fef3c7;border-color:#b45309;color:#78350f}
form.filters{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-end;background:#fff;border:1px solid #d1d5db;border-radius:10px;padding:12px;margin-bottom:14px}
form.filters input[type=text]{width:7em}form.filters input[type=date]{width:8.5em}form.filters select{max-width:11em}form.filters .button,form.filters button{padding:7px 12px}
label{display:flex;flex-direction:column;font-size:13px;font-weight:600;color:#374151;gap:3px}
input,select,textarea{font:inherit;padding:6px 8px;border:1px solid #6b7280;border-radius:6px;background:#fff;color:#111827;min-width:0}
textarea{width:100%}
button,.button{font:inherit;font-weight:600;padding:7px 14px;border-radius:6px;border:1px solid #1d4ed8;background:#1d4ed8;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:#fff;color:#1d4ed8}
button.danger{background:#b91c1c;border-color:#b91c1c}
.actions{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.actions form{background:#fff;border:1px solid #d1d5db;border-radius:10px;padding:12px;display:flex;flex-direction:column;gap:8px;min-width:260px;flex:1}
.problem{border-left:4px solid #b91c1c;background:#fff;padding:10px 14px;margin:8px 0;border-radius:6px}
.problem .fix{color:#14532d}
.fix .button,.fixes .button{padding:2px 10px;font-size:13px;margin:2px 0}
.card.jobs{margin-top:16px}.card.jobs h3{font-size:15px;margin:10px 0 4px}.card.jobs ul{margin:4px 0;padding-left:20px}
pre{white-space:pre-wrap;word-break:break-word;background:#f9fafb;border:1px solid #e5e7eb;padding:8px;border-radius:6px;font-size:12px;max-height:260px;overflow:auto}
dl.ids{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;background:#fff;border:1px solid #d1d5db;border-radius:10px;padding:12px 16px}
dl.ids dt{font-weight:600;color:#374151}dl.ids dd{margin:0;word-break:break-all}
.notice{background:#dbeafe;border:1px solid #1d4ed8;padding:10px 14px;border-radius:8px;margin-bottom:12px}
.alert{background:#fee2e2;border:1px solid #b91c1c;padding:10px 14px;border-radius:8px;margin-bottom:12px}
.muted{color:#4b5563;font-size:13px}
.pager{display:flex;gap:10px;margin:12px 0;align-items:center}
figure.chart{margin:0}figure.chart svg{width:100%;height:180px;background:#fff;border:1px solid #e5e7eb;border-radius:8px}
figcaption{font-size:13px;color:#374151;margin-top:4px}
.legend.orders{color:#2563eb}.legend.fail{color:#b91c1c}
.login{background:#fff;border:1px solid #d1d5db;border-radius:10px;padding:20px;display:flex;flex-direction:column;gap:12px;margin-top:40px}
ol.timeline{list-style:none;padding:0;margin:0;background:#fff;border:1px solid #d1d5db;border-radius:10px}
ol.timeline li{padding:8px 14px;border-bottom:1px solid #e5e7eb}
@media (max-width:640px){main{padding:12px}form.logout{margin-left:0}th,td{padding:6px}}
"#;
