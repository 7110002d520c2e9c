#!/usr/bin/env bash
# Copy the front-end libraries installed by npm into wangge/static/vendor (not committed; no CDN at run time).
set -euo pipefail
cd "$(dirname "$0")/.."
out=wangge/static/vendor
rm -rf "$out" && mkdir -p "$out/leaflet"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$out/leaflet/"
cp -r node_modules/leaflet/dist/images "$out/leaflet/"
cp node_modules/htmx.org/dist/htmx.min.js "$out/"
cp node_modules/alpinejs/dist/cdn.min.js "$out/alpine.min.js"
cp node_modules/echarts/dist/echarts.min.js "$out/"
echo "static files copied to $out"
