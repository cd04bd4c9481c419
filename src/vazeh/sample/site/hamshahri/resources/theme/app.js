// The outlet's theme script: marks the page as scripted, as real theme scripts do first.
document.documentElement.className += " js";
