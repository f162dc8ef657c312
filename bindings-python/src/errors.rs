//! The `libtcp.TcpError` hierarchy: one subclass per [`ErrorCode`], same stable codes.
//!
//! Each class carries `code` (the snake_case name) and `number` (the stable
//! number used in batch status bytes) as class attributes, so
//! `except libtcp.ChecksumMismatchError` and `err.code == "checksum_mismatch"`
//! both work, and pickling an instance needs nothing beyond `BaseException`'s.

use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyType;
use pyo3::{PyTypeInfo, create_exception};
use tcp_core::{Error, ErrorCode};

create_exception!(
    libtcp,
    TcpError,
    PyException,
    "Base class of every libtcp error; `code` and `number` say which."
);

macro_rules! error_classes {
    ($($variant:ident => $class:ident),+ $(,)?) => {
        $(
            create_exception!(
                libtcp,
                $class,
                TcpError,
                concat!("libtcp error `", stringify!($variant), "` (see `code`).")
            );
        )+

        /// The Python class for a code.
        fn class_for(py: Python<'_>, code: ErrorCode) -> Bound<'_, PyType> {
            match code {
                $(ErrorCode::$variant => $class::type_object(py),)+
                // A code added to tcp-core after these bindings: still a TcpError.
                _ => TcpError::type_object(py),
            }
        }

        /// Adds every class to the module and gives each its code.
        pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
            let py = m.py();
            let base = TcpError::type_object(py);
            base.setattr("code", py.None())?;
            base.setattr("number", py.None())?;
            m.add("TcpError", base)?;
            $(
                let class = $class::type_object(py);
                class.setattr("code", ErrorCode::$variant.as_str())?;
                class.setattr("number", ErrorCode::$variant as u8)?;
                m.add(stringify!($class), class)?;
            )+
            Ok(())
        }
    };
}

error_classes! {
    WrongLength => WrongLengthError,
    BadMagic => BadMagicError,
    UnsupportedVersion => UnsupportedVersionError,
    ChecksumMismatch => ChecksumMismatchError,
    MultipleRiskBits => MultipleRiskBitsError,
    NoRiskBit => NoRiskBitError,
    ReservedBitsSet => ReservedBitsSetError,
    HashMismatch => HashMismatchError,
    InvalidRiskLevel => InvalidRiskLevelError,
    Truncated => TruncatedError,
    BadIndex => BadIndexError,
    DigestMismatch => DigestMismatchError,
    UnknownDialect => UnknownDialectError,
    AmbiguousDialect => AmbiguousDialectError,
    BadName => BadNameError,
    BadInput => BadInputError,
    Io => IoError,
    OutputTooSmall => OutputTooSmallError,
    DuplicateName => DuplicateNameError,
    RuleSelfTest => RuleSelfTestError,
}

/// The Python exception for a tcp-core error: its code's class, its message.
pub(crate) fn to_py(err: &Error) -> PyErr {
    let message = err.to_string();
    Python::attach(|py| PyErr::from_type(class_for(py, err.code()), message))
}

/// The Python exception of `code`'s class with the bindings' own message.
pub(crate) fn with_code(code: ErrorCode, message: String) -> PyErr {
    Python::attach(|py| PyErr::from_type(class_for(py, code), message))
}

/// `Result<T, tcp_core::Error>` into `PyResult<T>`.
pub(crate) trait IntoPyResult<T> {
    /// Maps the error through [`to_py`].
    fn into_py_result(self) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for tcp_core::Result<T> {
    fn into_py_result(self) -> PyResult<T> {
        self.map_err(|e| to_py(&e))
    }
}

/// A `BadInputError` with a message (for arguments tcp-core never sees, e.g. names).
pub(crate) fn bad_input(detail: impl Into<String>) -> PyErr {
    to_py(&Error::BadInput {
        detail: detail.into(),
    })
}

/// Every code as `(number, name)`, in numeric order.
#[pyfunction]
pub(crate) fn error_codes() -> Vec<(u8, &'static str)> {
    ErrorCode::ALL
        .iter()
        .map(|c| (*c as u8, c.as_str()))
        .collect()
}
