/**
 * The browser tracker served at `/tracker.js` (kept under 3 KB gzipped; a test checks). It queues
 * events, posts them in batches of up to 20 every 5 s, and on page hide sends what is left with
 * `navigator.sendBeacon`. Without analytics consent it keeps no identifier (no storage, no ids) and
 * sends each event's name and time only (no page, referrer, items or customer), which is all the
 * server keeps then: cookieless counts.
 *
 *   <script src="/tracker.js" data-key="pk_…" defer></script>
 *   stratus.consent(true); stratus.track('view_item', { items: [{ item_id: 'prod_1', price: 1999 }] });
 */
export const TRACKER_SOURCE = `(function(w,d){
var s=d.currentScript,key=s&&s.getAttribute('data-key'),ep=(s&&s.getAttribute('data-endpoint'))||'/store/events';
var ls=w.localStorage,q=[],t,K='stratus_vid',C='stratus_consent',S='stratus_sid';
function id(){return Date.now().toString(36)+Math.random().toString(36).slice(2,10)}
function ok(){try{return ls.getItem(C)==='1'}catch(e){return false}}
function get(k,f){try{var v=ls.getItem(k);if(!v){v=f();ls.setItem(k,v)}return v}catch(e){return f()}}
function sid(){try{var r=JSON.parse(ls.getItem(S)||'{}'),n=Date.now();if(!r.i||n-r.t>18e5)r.i=id();r.t=n;ls.setItem(S,JSON.stringify(r));return r.i}catch(e){return id()}}
var u=new URLSearchParams(location.search),utm={};
['utm_source','utm_medium','utm_campaign'].forEach(function(k){var v=u.get(k);if(v)utm[k]=v});
function body(b){var c=ok(),o={events:c?b:b.map(function(e){return{name:e.name,timestamp:e.timestamp}}),consent:{analytics:c}};if(c)o.visitor_id=get(K,id);return JSON.stringify(o)}
function send(beacon){clearTimeout(t);t=0;while(q.length){var b=q.splice(0,20),p=body(b);
if(beacon&&navigator.sendBeacon){navigator.sendBeacon(ep+(key?'?key='+encodeURIComponent(key):''),new Blob([p],{type:'application/json'}))}
else{var h={'content-type':'application/json'};if(key)h['x-publishable-key']=key;
fetch(ep,{method:'POST',headers:h,body:p,keepalive:true,credentials:'omit'}).catch(function(){})}}}
function track(n,p){var e={name:n,timestamp:new Date().toISOString(),page:location.pathname+location.search,referrer:d.referrer||undefined};
for(var k in utm)e[k]=utm[k];for(k in p||{})e[k]=p[k];if(ok())e.session_id=sid();q.push(e);
if(q.length>=20)send();else if(!t)t=setTimeout(send,5e3)}
d.addEventListener('visibilitychange',function(){if(d.visibilityState==='hidden')send(true)});
w.addEventListener('pagehide',function(){send(true)});
w.stratus={track:track,flush:send,consent:function(y){try{if(y)ls.setItem(C,'1');else{ls.removeItem(C);ls.removeItem(K);ls.removeItem(S)}}catch(e){}},
identify:function(c){track('login',{customer_id:c})}};
track('page_view');
})(window,document);`;
