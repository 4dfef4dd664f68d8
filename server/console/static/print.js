// A "Print" button on the join page (inline handlers are forbidden by the CSP).
for (const button of document.querySelectorAll('[data-print]')) {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
}
