//! The network's academy: questions and how each is graded ([`question`]), quizzes as an
//! attempt draws and times them ([`quiz`]), Moodle's GIFT and XML formats ([`gift`],
//! [`moodle_xml`]), course text ([`text`]), each person's standing on a compulsory course and
//! the reminders owed ([`standing`]), certificate codes ([`certificate`]) and xAPI learning
//! records ([`xapi`]).
//!
//! Pure: the application layer reads the courses and attempts from the store and hands them here.

pub mod certificate;
pub mod course;
pub mod gift;
pub mod moodle_xml;
pub mod question;
pub mod quiz;
pub mod standing;
pub mod text;
pub mod xapi;

pub use question::{Question, Response};
pub use quiz::QuizSettings;
pub use standing::{Renewal, Standing};
