/* Replaces the theme's scripts/fontawesome.js (1.5 MB, loaded on every page),
   which redraws the <i class="fa-..."> icons as inline SVG. The theme's
   stylesheet already draws the same icons from the Font Awesome web font it
   ships (_static/vendor/fontawesome), so the icons need no script. A file in
   html_static_path takes the place of the theme's file of the same name. */
