//! The pages `x837 serve` makes itself: the one to drop a batch on, the downloads above a
//! result's worklist, and errors. Self-contained, like the worklist.

use std::fmt::Write as _;

use crate::report::html::esc;

use super::store::Outcome;

const STYLE: &str = "*{box-sizing:border-box}body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1d2329;background:#f5f6f8;font-size:15px}\
header{background:#1f3a5f;color:#fff;padding:14px 24px}header h1{margin:0;font-size:22px}header p{margin:4px 0 0;opacity:.85}\
main{padding:16px 24px;max-width:900px}\
#drop{border:3px dashed #90a4ae;border-radius:10px;background:#fff;padding:40px;text-align:center;font-size:18px;cursor:pointer}\
#drop.over{border-color:#1f5f99;background:#e3f2fd}#drop p{margin:6px 0}\
form label{display:block;margin:12px 0}select,button{font-size:15px;padding:4px 8px}\
button#go{background:#1f5f99;color:#fff;border:0;border-radius:4px;padding:8px 20px}button:disabled{opacity:.5}\
#status{margin:12px 0;min-height:1.5em}#status.error{color:#b71c1c;font-weight:600}\
.note{color:#555;font-size:13px}";

/// Sends the chosen file as the request body; the answer names the result's page.
const SCRIPT: &str = r#"(function(){
function g(id){return document.getElementById(id);}
var file=null,drop=g('drop'),pick=g('file');
function chosen(f){file=f;g('chosen').textContent=f?f.name+' ('+f.size.toLocaleString()+' bytes)':'';g('go').disabled=!f;}
drop.addEventListener('click',function(){pick.click();});
pick.addEventListener('change',function(){chosen(pick.files[0]||null);});
['dragenter','dragover'].forEach(function(e){drop.addEventListener(e,function(ev){ev.preventDefault();drop.classList.add('over');});});
['dragleave','drop'].forEach(function(e){drop.addEventListener(e,function(ev){ev.preventDefault();drop.classList.remove('over');});});
drop.addEventListener('drop',function(ev){if(ev.dataTransfer.files.length)chosen(ev.dataTransfer.files[0]);});
g('form').addEventListener('submit',function(ev){
 ev.preventDefault();if(!file)return;
 var st=g('status');st.className='';st.textContent='Scrubbing '+file.name+'...';g('go').disabled=true;
 var q='?profile='+encodeURIComponent(g('profile').value)+'&split='+(g('split').checked?'1':'0')+'&name='+encodeURIComponent(file.name);
 fetch('/scrub'+q,{method:'POST',body:file,headers:{'Content-Type':'application/octet-stream'}})
 .then(function(r){return r.json().then(function(j){return {ok:r.ok,j:j};});})
 .then(function(a){if(a.ok){location.href=a.j.page;}else{st.className='error';st.textContent=a.j.error;g('go').disabled=false;}})
 .catch(function(e){st.className='error';st.textContent='The server did not answer: '+e;g('go').disabled=false;});
});
})();"#;

fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{title}</title><style>{STYLE}</style></head><body>"
    )
}

/// The page to drop a batch on. `profiles`: name and administration code.
pub fn upload(profiles: &[(String, String)], max_upload: u64) -> String {
    let mut s = head("x837: scrub a batch");
    let _ = write!(
        s,
        "<header><h1>Scrub a batch of claims</h1><p>x837 {} · this page runs on this computer only; nothing is sent anywhere else</p></header><main>\
<form id=\"form\"><div id=\"drop\" tabindex=\"0\"><p><b>Drop an 837 file here</b></p><p>or click to choose one</p><p id=\"chosen\"></p></div>\
<input id=\"file\" type=\"file\" hidden>\
<label>Profile <select id=\"profile\">",
        env!("CARGO_PKG_VERSION")
    );
    for (name, code) in profiles {
        let _ = write!(
            s,
            "<option value=\"{}\"{}>{} (administration {})</option>",
            esc(name),
            if name == "default" { " selected" } else { "" },
            esc(name),
            esc(code)
        );
    }
    let _ = write!(
        s,
        "</select></label><label><input id=\"split\" type=\"checkbox\" checked> Split the claims that keep an error off into a file of their own</label>\
<button id=\"go\" type=\"submit\" disabled>Scrub</button><div id=\"status\" role=\"status\"></div></form>\
<noscript><p class=\"error\">This page needs JavaScript to send the file. The command line does the same: <code>x837 scrub FILE -o corrected.x12 --report worklist.html</code>.</p></noscript>\
<p class=\"note\">Files up to {} MB. You get the worklist, the corrected file, the split-off claims and the JSON report; they stay in this server's memory for an hour at most (the last {} batches), and no copy is kept on disk.</p>\
</main><script>{SCRIPT}</script></body></html>",
        max_upload / 1_000_000,
        super::store::MAX_RESULTS
    );
    s
}

/// The downloads above a result's worklist.
pub fn banner(token: &str, o: &Outcome) -> String {
    let base = format!("/r/{token}");
    let stem = o.name.rsplit_once('.').map_or(o.name.as_str(), |(s, _)| s);
    let mut s = format!(
        "<div class=\"banner\" id=\"downloads\"><b>Downloads</b> for <code>{}</code> (profile {}): ",
        esc(&o.name),
        esc(&o.profile)
    );
    let mut link = |id: &str, file: &str, what: &str| {
        let _ = write!(
            s,
            "<a id=\"{id}\" href=\"{base}/{file}\" download=\"{}\">{what}</a> · ",
            esc(&download_name(file, &o.name, stem))
        );
    };
    if o.corrected.is_some() {
        link("dl-corrected", "corrected", "corrected file");
    }
    if o.rejected.is_some() {
        link("dl-rejected", "rejected", "split-off rejected claims");
    }
    link("dl-json", "report.json", "JSON report");
    link("dl-worklist", "worklist.html", "this worklist");
    s.push_str("<a href=\"/\">scrub another file</a></div>");
    if !o.messages.is_empty() {
        s.push_str(
            "<div class=\"note\" id=\"messages\"><b>Parts of this file could not be used:</b><ul>",
        );
        for m in &o.messages {
            let _ = write!(s, "<li>{}</li>", esc(m));
        }
        s.push_str("</ul></div>");
    }
    s
}

/// What a download is saved as.
pub fn download_name(file: &str, name: &str, stem: &str) -> String {
    match file {
        "corrected" => format!("corrected-{name}"),
        "rejected" => format!("rejected-{name}"),
        "report.json" => format!("{stem}.report.json"),
        _ => format!("{stem}.worklist.html"),
    }
}

/// An error page for a browser that asked for a page.
pub fn error(code: u16, message: &str) -> String {
    let mut s = head("x837: error");
    let _ = write!(
        s,
        "<header><h1>{code}</h1></header><main><p>{}</p><p><a href=\"/\">Back</a></p></main></body></html>",
        esc(message)
    );
    s
}
