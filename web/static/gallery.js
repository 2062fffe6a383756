// A listing's photos: choosing a thumbnail shows that photo in the main frame, rather than leaving the page.
(() => {
  "use strict";
  const main = document.querySelector(".gallery .main-photo");
  const link = document.querySelector(".gallery .main-link");
  if (!main || !link) return;
  for (const thumb of document.querySelectorAll(".more-photos a")) {
    thumb.addEventListener("click", (event) => {
      event.preventDefault();
      const photo = thumb.getAttribute("href");
      main.src = photo;
      main.alt = thumb.dataset.alt || "";
      link.href = photo;
      for (const other of document.querySelectorAll(".more-photos a")) other.removeAttribute("aria-current");
      thumb.setAttribute("aria-current", "true");
    });
  }
})();
