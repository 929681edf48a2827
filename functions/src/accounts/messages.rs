//! Everything accounts say to a person, in the storefront's languages
//! (English, Indonesian, Polish): field problems, answers, and the mails.

use super::fields::Problem;
use storefront_core::Locale;

/// A sentence other than a field problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg<'a> {
    UnknownField(&'a str),
    InvalidValue,
    MalformedJson,
    NotJson,
    EmailTaken,
    BadCredentials,
    InvalidToken,
    TooManyAttempts {
        retry_after_secs: u64,
    },
    SignInFirst,
    ChangedMeanwhile,
    ResetRequested,
    VerificationSent,
    /// The reseller suspended the account (the right password, but no
    /// session).
    Suspended,
}

pub fn problem(lang: Locale, p: Problem) -> String {
    use Locale::*;
    match (p, lang) {
        (Problem::Required, En) => "This field is required.".into(),
        (Problem::Required, Id) => "Kolom ini wajib diisi.".into(),
        (Problem::Required, Pl) => "To pole jest wymagane.".into(),
        (Problem::TooLong { max }, En) => format!("Use at most {max} characters."),
        (Problem::TooLong { max }, Id) => format!("Gunakan paling banyak {max} karakter."),
        (Problem::TooLong { max }, Pl) => format!("Wpisz najwyżej {max} znaków."),
        (Problem::TooManyLines { max }, En) => format!("Use at most {max} lines."),
        (Problem::TooManyLines { max }, Id) => format!("Gunakan paling banyak {max} baris."),
        (Problem::TooManyLines { max }, Pl) => format!("Wpisz najwyżej {max} wiersze."),
        (Problem::BadCharacters, En) => {
            "This contains characters that are not allowed, such as line breaks.".into()
        }
        (Problem::BadCharacters, Id) => {
            "Isian ini mengandung karakter yang tidak diizinkan, misalnya baris baru.".into()
        }
        (Problem::BadCharacters, Pl) => {
            "To pole zawiera niedozwolone znaki, np. znaki nowej linii.".into()
        }
        (Problem::EmailInvalid, En) => {
            "Enter a valid email address, such as name@example.com.".into()
        }
        (Problem::EmailInvalid, Id) => {
            "Masukkan alamat email yang valid, misalnya nama@contoh.co.id.".into()
        }
        (Problem::EmailInvalid, Pl) => "Podaj poprawny adres e-mail, np. imie@przyklad.pl.".into(),
        (Problem::PasswordTooShort { min }, En) => {
            format!("The password needs at least {min} characters.")
        }
        (Problem::PasswordTooShort { min }, Id) => {
            format!("Kata sandi harus terdiri dari minimal {min} karakter.")
        }
        (Problem::PasswordTooShort { min }, Pl) => {
            format!("Hasło musi mieć co najmniej {min} znaków.")
        }
        (Problem::PasswordTooLong, En) => "The password is too long (at most 1024 bytes).".into(),
        (Problem::PasswordTooLong, Id) => "Kata sandi terlalu panjang (maksimal 1024 byte).".into(),
        (Problem::PasswordTooLong, Pl) => "Hasło jest za długie (najwyżej 1024 bajty).".into(),
        (Problem::PasswordOneCharacter, En) => {
            "The password cannot be a single character repeated.".into()
        }
        (Problem::PasswordOneCharacter, Id) => {
            "Kata sandi tidak boleh hanya berupa satu karakter yang diulang.".into()
        }
        (Problem::PasswordOneCharacter, Pl) => {
            "Hasło nie może składać się z jednego powtórzonego znaku.".into()
        }
        (Problem::TaxIdInvalid, En) => {
            "A tax ID may contain only letters, digits, spaces and - . /".into()
        }
        (Problem::TaxIdInvalid, Id) => {
            "Nomor pajak hanya boleh berisi huruf, angka, spasi, serta tanda - . /".into()
        }
        (Problem::TaxIdInvalid, Pl) => {
            "Numer podatkowy może zawierać tylko litery, cyfry, spacje oraz znaki - . /".into()
        }
        (Problem::CompanyNeeded, En) => {
            "For a company account, give the company's name and tax ID.".into()
        }
        (Problem::CompanyNeeded, Id) => {
            "Untuk akun perusahaan, isi nama perusahaan dan nomor pajaknya.".into()
        }
        (Problem::CompanyNeeded, Pl) => {
            "Dla konta firmowego podaj nazwę firmy i jej numer podatkowy.".into()
        }
        (Problem::CompanyNotForPersonal, En) => {
            "A personal account has no company details; choose a company account instead.".into()
        }
        (Problem::CompanyNotForPersonal, Id) => {
            "Akun pribadi tidak memiliki data perusahaan; pilih akun perusahaan.".into()
        }
        (Problem::CompanyNotForPersonal, Pl) => {
            "Konto osobiste nie ma danych firmy; wybierz konto firmowe.".into()
        }
    }
}

/// Minutes to wait, rounded up, at least one.
fn minutes(secs: u64) -> u64 {
    secs.div_ceil(60).max(1)
}

pub fn text(lang: Locale, m: &Msg<'_>) -> String {
    use Locale::*;
    match (m, lang) {
        (Msg::UnknownField(f), En) => format!("Unknown field “{f}”."),
        (Msg::UnknownField(f), Id) => format!("Kolom “{f}” tidak dikenal."),
        (Msg::UnknownField(f), Pl) => format!("Nieznane pole „{f}”."),
        (Msg::InvalidValue, En) => "This value is not valid here.".into(),
        (Msg::InvalidValue, Id) => "Nilai ini tidak valid.".into(),
        (Msg::InvalidValue, Pl) => "Ta wartość jest nieprawidłowa.".into(),
        (Msg::MalformedJson, En) => "The request is not valid JSON.".into(),
        (Msg::MalformedJson, Id) => "Permintaan ini bukan JSON yang valid.".into(),
        (Msg::MalformedJson, Pl) => "Żądanie nie jest poprawnym JSON-em.".into(),
        (Msg::NotJson, En) => "Send the request as JSON (Content-Type: application/json).".into(),
        (Msg::NotJson, Id) => {
            "Kirim permintaan dalam format JSON (Content-Type: application/json).".into()
        }
        (Msg::NotJson, Pl) => "Wyślij żądanie jako JSON (Content-Type: application/json).".into(),
        (Msg::EmailTaken, En) => {
            "This store already has an account with this email. Sign in, or reset the password."
                .into()
        }
        (Msg::EmailTaken, Id) => {
            "Toko ini sudah memiliki akun dengan email tersebut. Silakan masuk atau atur ulang kata sandi."
                .into()
        }
        (Msg::EmailTaken, Pl) => {
            "W tym sklepie istnieje już konto z tym adresem e-mail. Zaloguj się lub zresetuj hasło."
                .into()
        }
        (Msg::BadCredentials, En) => "The email or password is wrong.".into(),
        (Msg::BadCredentials, Id) => "Email atau kata sandi salah.".into(),
        (Msg::BadCredentials, Pl) => "Nieprawidłowy adres e-mail lub hasło.".into(),
        (Msg::InvalidToken, En) => {
            "This link is not valid: it was already used or has expired. Ask for a new one.".into()
        }
        (Msg::InvalidToken, Id) => {
            "Tautan ini tidak berlaku: sudah pernah dipakai atau sudah kedaluwarsa. Silakan minta tautan baru."
                .into()
        }
        (Msg::InvalidToken, Pl) => {
            "Ten link jest nieważny: został już użyty albo wygasł. Poproś o nowy.".into()
        }
        (Msg::TooManyAttempts { retry_after_secs }, En) => match minutes(*retry_after_secs) {
            1 => "Too many attempts. Try again in a minute.".into(),
            n => format!("Too many attempts. Try again in {n} minutes."),
        },
        (Msg::TooManyAttempts { retry_after_secs }, Id) => format!(
            "Terlalu banyak percobaan. Coba lagi dalam {} menit.",
            minutes(*retry_after_secs)
        ),
        // "min." sidesteps Polish plural forms (minutę, minuty, minut).
        (Msg::TooManyAttempts { retry_after_secs }, Pl) => format!(
            "Zbyt wiele prób. Spróbuj ponownie za {} min.",
            minutes(*retry_after_secs)
        ),
        (Msg::SignInFirst, En) => "Please sign in.".into(),
        (Msg::SignInFirst, Id) => "Silakan masuk terlebih dahulu.".into(),
        (Msg::SignInFirst, Pl) => "Zaloguj się.".into(),
        (Msg::ChangedMeanwhile, En) => {
            "Your account was changed at the same time. Please try again.".into()
        }
        (Msg::ChangedMeanwhile, Id) => {
            "Akun Anda diubah pada saat yang bersamaan. Silakan coba lagi.".into()
        }
        (Msg::ChangedMeanwhile, Pl) => {
            "Konto zostało w tym czasie zmienione. Spróbuj ponownie.".into()
        }
        (Msg::ResetRequested, En) => {
            "If this store has an account with this email, we have sent it a link to set a new password."
                .into()
        }
        (Msg::ResetRequested, Id) => {
            "Jika toko ini memiliki akun dengan email tersebut, kami telah mengirimkan tautan untuk membuat kata sandi baru."
                .into()
        }
        (Msg::ResetRequested, Pl) => {
            "Jeśli w tym sklepie istnieje konto z tym adresem e-mail, wysłaliśmy na nie link do ustawienia nowego hasła."
                .into()
        }
        (Msg::VerificationSent, En) => {
            "We have sent a new confirmation link to your email address.".into()
        }
        (Msg::VerificationSent, Id) => {
            "Kami telah mengirimkan tautan konfirmasi baru ke alamat email Anda.".into()
        }
        (Msg::VerificationSent, Pl) => {
            "Wysłaliśmy nowy link potwierdzający na Twój adres e-mail.".into()
        }
        (Msg::Suspended, En) => {
            "This account is suspended. Contact the store to have it reinstated.".into()
        }
        (Msg::Suspended, Id) => {
            "Akun ini ditangguhkan. Hubungi toko untuk mengaktifkannya kembali.".into()
        }
        (Msg::Suspended, Pl) => {
            "To konto jest zawieszone. Skontaktuj się ze sklepem, aby je przywrócić.".into()
        }
    }
}

/// A mail's subject and plain-text body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailText {
    pub subject: String,
    pub body: String,
}

pub fn verify_mail(lang: Locale, store: &str, name: &str, link: &str) -> MailText {
    match lang {
        Locale::En => MailText {
            subject: format!("Confirm your email address for {store}"),
            body: format!(
                "Hello {name},\n\n\
                 Thank you for signing up at {store}. Please confirm your email address by opening this link:\n\n\
                 {link}\n\n\
                 The link works once and for 24 hours. If you did not sign up, you can ignore this message.\n\n\
                 {store}\n"
            ),
        },
        Locale::Id => MailText {
            subject: format!("Konfirmasi alamat email Anda di {store}"),
            body: format!(
                "Halo {name},\n\n\
                 Terima kasih telah mendaftar di {store}. Silakan konfirmasi alamat email Anda dengan membuka tautan berikut:\n\n\
                 {link}\n\n\
                 Tautan ini berlaku selama 24 jam dan hanya dapat dipakai satu kali. Jika Anda tidak merasa mendaftar, abaikan pesan ini.\n\n\
                 {store}\n"
            ),
        },
        Locale::Pl => MailText {
            subject: format!("Potwierdź adres e-mail – {store}"),
            body: format!(
                "Dzień dobry {name},\n\n\
                 dziękujemy za rejestrację w sklepie {store}. Potwierdź swój adres e-mail, otwierając ten link:\n\n\
                 {link}\n\n\
                 Link jest ważny przez 24 godziny i działa tylko raz. Jeżeli ta wiadomość trafiła do Ciebie przez pomyłkę, zignoruj ją.\n\n\
                 {store}\n"
            ),
        },
    }
}

pub fn reset_mail(lang: Locale, store: &str, name: &str, link: &str) -> MailText {
    match lang {
        Locale::En => MailText {
            subject: format!("Set a new password for {store}"),
            body: format!(
                "Hello {name},\n\n\
                 We were asked to reset the password of your account at {store}. To choose a new password, open this link:\n\n\
                 {link}\n\n\
                 The link works once and for 1 hour. Setting a new password signs you out on every device. \
                 If you did not ask for this, ignore this message: your password stays as it is.\n\n\
                 {store}\n"
            ),
        },
        Locale::Id => MailText {
            subject: format!("Atur ulang kata sandi Anda di {store}"),
            body: format!(
                "Halo {name},\n\n\
                 Kami menerima permintaan untuk mengatur ulang kata sandi akun Anda di {store}. Untuk membuat kata sandi baru, buka tautan berikut:\n\n\
                 {link}\n\n\
                 Tautan ini berlaku selama 1 jam dan hanya dapat dipakai satu kali. Setelah kata sandi baru disimpan, Anda akan keluar dari semua perangkat. \
                 Jika Anda tidak memintanya, abaikan pesan ini; kata sandi Anda tidak berubah.\n\n\
                 {store}\n"
            ),
        },
        Locale::Pl => MailText {
            subject: format!("Ustaw nowe hasło – {store}"),
            body: format!(
                "Dzień dobry {name},\n\n\
                 otrzymaliśmy prośbę o zresetowanie hasła do Twojego konta w sklepie {store}. Aby ustawić nowe hasło, otwórz ten link:\n\n\
                 {link}\n\n\
                 Link jest ważny przez 1 godzinę i działa tylko raz. Po ustawieniu nowego hasła nastąpi wylogowanie ze wszystkich urządzeń. \
                 Jeżeli prośba nie pochodzi od Ciebie, zignoruj tę wiadomość – hasło pozostanie bez zmian.\n\n\
                 {store}\n"
            ),
        },
    }
}
