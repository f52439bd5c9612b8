// Collapsed sections print open (issue 19; site.css does it without JavaScript where ::details-content is supported), then close again.
// A file, not inlined: every page loads it, and once cached it costs each page ~40 bytes instead of ~330 (issue 23).
addEventListener('beforeprint',()=>{for(const d of document.querySelectorAll('details:not([open])')){d.dataset.printOpened='';d.open=true}});addEventListener('afterprint',()=>{for(const d of document.querySelectorAll('details[data-print-opened]')){delete d.dataset.printOpened;d.open=false}});
