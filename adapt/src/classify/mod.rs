//! What each changed tile shows: solid, text/UI, image or video.
