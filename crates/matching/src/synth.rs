//! Synthetic person records with known truth, for benchmarks and tests: people from many naming
//! cultures, recorded twice by different hands, with the errors real registries carry — typos,
//! transliteration drift (ou/u, e/i, kh/h, doubled letters, al-/el-), given and family name
//! swapped, dates with day and month exchanged or estimated, missing fields — and, on request,
//! names written in their own script (Arabic, Cyrillic, Greek, Ethiopic, Chinese) on one side.
//!
//! The transliteration noise here is rule-based and independent of the matcher's variant table.

use crate::link::SplitMix;

/// One generated record. Field order is [`FIELDS`].
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub id: String,
    pub given_name: String,
    pub family_name: String,
    pub sex: String,
    pub birth_date: String,
    pub place: String,
    pub parent_name: String,
    pub phone: String,
    pub id_number: String,
}

/// Column names of [`Person::row`], usable as roles by `kinbridge link` as they are.
pub const FIELDS: [&str; 8] =
    ["given_name", "family_name", "sex", "birth_date", "place", "parent_name", "phone", "id_number"];

impl Person {
    pub fn row(&self) -> [&str; 8] {
        [
            &self.given_name,
            &self.family_name,
            &self.sex,
            &self.birth_date,
            &self.place,
            &self.parent_name,
            &self.phone,
            &self.id_number,
        ]
    }
}

#[derive(Debug, Clone)]
pub struct SynthOptions {
    /// Records on the left.
    pub left: usize,
    /// Records on the right.
    pub right: usize,
    /// Share of right records that are the same person as a left record.
    pub overlap: f64,
    /// Share of right records whose names are written in their culture's own script, where it
    /// has one.
    pub native_script: f64,
    /// How much noise: 1.0 is the default mix of errors.
    pub noise: f64,
    pub seed: u64,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions { left: 1000, right: 1000, overlap: 0.5, native_script: 0.0, noise: 1.0, seed: 7 }
    }
}

/// Left records, right records, and the true pairs (left index, right index).
pub struct Synth {
    pub left: Vec<Person>,
    pub right: Vec<Person>,
    pub truth: Vec<(u32, u32)>,
}

#[derive(Clone, Copy, PartialEq)]
enum Script {
    Latin,
    Arabic,
    Cyrillic,
    Greek,
    Ethiopic,
    Chinese,
}

struct Culture {
    script: Script,
    male: &'static [&'static str],
    female: &'static [&'static str],
    /// Family names are roots with suffixes, or (for patronymic cultures) the father's name.
    roots: &'static [&'static str],
    suffixes: &'static [&'static str],
    patronymic: bool,
    /// Parts of composed family names (start, middle, end), for the long tail of rare names.
    parts: [&'static [&'static str]; 3],
    places: &'static [&'static str],
    phone_prefix: &'static str,
    weight: u32,
}

const CULTURES: &[Culture] = &[
    Culture {
        script: Script::Arabic,
        male: &[
            "Mohammed", "Ahmad", "Omar", "Youssef", "Khaled", "Hassan", "Ali", "Ibrahim", "Mahmoud", "Karim", "Tariq",
            "Bilal", "Hamza", "Samir", "Walid", "Jamal", "Nasser", "Rashid", "Said", "Salim", "Faisal", "Amir",
            "Idris", "Yunus", "Mustafa", "Abdullah", "Hussein", "Osman", "Adel", "Anas", "Ayman", "Bassam", "Fadi",
            "Ghassan", "Hadi", "Ismail", "Majid", "Marwan", "Nabil", "Rami",
        ],
        female: &[
            "Fatima", "Aisha", "Mariam", "Nour", "Huda", "Rania", "Layla", "Zainab", "Amal", "Yasmin", "Salma",
            "Rahaf", "Amina", "Khadija", "Jamila", "Samira", "Nadia", "Hanan", "Dalia", "Ghada", "Hiba", "Lina",
            "Maha", "Mona", "Rasha", "Reem", "Sawsan", "Widad", "Zahra", "Asma",
        ],
        roots: &[
            "Hassan", "Haddad", "Khalil", "Nasser", "Saleh", "Mansour", "Darwish", "Qasim", "Hamdan", "Abboud",
            "Shami", "Masri", "Halabi", "Zaidi", "Najjar", "Khatib", "Tamimi", "Rifai", "Sabbagh", "Bakri", "Jaber",
            "Yassin", "Obeid", "Hamoud", "Kurdi", "Hakim", "Farouk", "Hijazi", "Sharif", "Kanaan", "Shalabi",
            "Atallah", "Awad", "Ghanem", "Saad", "Daher", "Murad", "Salem", "Harb", "Othman", "Suleiman", "Ibrahim",
            "Mahmoud", "Hussein", "Karim", "Rahman", "Jabri", "Homsi", "Idlibi", "Dabbagh",
        ],
        suffixes: &["", "", "Al-"],
        patronymic: false,
        places: &[
            "Aleppo",
            "Homs",
            "Damascus",
            "Idlib",
            "Deir ez-Zor",
            "Mosul",
            "Basra",
            "Khartoum",
            "Omdurman",
            "Benghazi",
            "Sanaa",
            "Taiz",
            "Raqqa",
            "Hama",
            "Kirkuk",
            "Nyala",
        ],
        phone_prefix: "963",
        parts: [
            &[
                "Ha", "Ka", "Na", "Sa", "Da", "Ra", "Ja", "Ma", "Za", "Ta", "Ba", "Fa", "Qa", "Kha", "Sha", "Ya", "Wa",
                "La", "Ghe", "Hu",
            ],
            &["d", "m", "s", "l", "r", "k", "z", "j", "b", "n"],
            &["ad", "an", "im", "il", "ar", "ik", "ir", "awi", "ani", "ouri", "i", "ah", "ush", "oun", "ami"],
        ],
        weight: 5,
    },
    Culture {
        script: Script::Arabic,
        male: &[
            "Reza",
            "Hossein",
            "Mehdi",
            "Ali",
            "Amir",
            "Dariush",
            "Kourosh",
            "Babak",
            "Farid",
            "Javad",
            "Hamid",
            "Saeed",
            "Majid",
            "Morteza",
            "Ehsan",
            "Arash",
            "Behrouz",
            "Omid",
            "Navid",
            "Payam",
            "Rahmatullah",
            "Gul",
            "Sayed",
            "Naqibullah",
            "Farhad",
            "Jawad",
            "Bashir",
            "Zabihullah",
            "Shafiq",
            "Wahid",
        ],
        female: &[
            "Zahra",
            "Maryam",
            "Fatemeh",
            "Shirin",
            "Parisa",
            "Leila",
            "Niloufar",
            "Sara",
            "Mahsa",
            "Roya",
            "Fereshteh",
            "Gulalai",
            "Marzieh",
            "Somayeh",
            "Nasrin",
            "Azadeh",
            "Mina",
            "Parvin",
            "Shabnam",
            "Laleh",
            "Freshta",
            "Malalai",
            "Nargis",
            "Zarghuna",
            "Pashtana",
        ],
        roots: &[
            "Hossein", "Mohammad", "Reza", "Ahmad", "Karim", "Rahim", "Morad", "Jafar", "Sadegh", "Tehran", "Shiraz",
            "Esfahan", "Tabriz", "Kerman", "Yazd", "Ghorban", "Nour", "Safar", "Akbar", "Asghar", "Amin", "Hashem",
            "Kazem", "Naser", "Rostam", "Habib", "Sharif", "Yousef", "Ahmad", "Stanek",
        ],
        suffixes: &["i", "zadeh", "pour", "nia", "far", "khani", "zai", "khel", "yar", "i"],
        patronymic: false,
        places: &[
            "Kabul",
            "Herat",
            "Kandahar",
            "Mazar-i-Sharif",
            "Jalalabad",
            "Kunduz",
            "Ghazni",
            "Tehran",
            "Mashhad",
            "Isfahan",
            "Shiraz",
            "Tabriz",
            "Zahedan",
            "Khost",
        ],
        phone_prefix: "93",
        parts: [
            &[
                "Ka", "Ra", "Mo", "Ja", "Sa", "Ha", "Ba", "Fa", "Na", "Za", "Ta", "Gho", "Sha", "Da", "Ye", "Aa", "Ne",
                "Po", "Sho", "Ke",
            ],
            &["r", "h", "m", "z", "s", "b", "d", "n", "k", "v"],
            &["i", "zadeh", "pour", "nia", "far", "khani", "zai", "khel", "yar", "abadi", "vand", "lou"],
        ],
        weight: 4,
    },
    Culture {
        script: Script::Ethiopic,
        male: &[
            "Tesfay",
            "Haile",
            "Gebre",
            "Tekle",
            "Kidane",
            "Berhane",
            "Mulugeta",
            "Semere",
            "Dawit",
            "Yonas",
            "Mikael",
            "Yohannes",
            "Tsegay",
            "Yemane",
            "Abraham",
            "Solomon",
            "Ghirmay",
            "Habte",
            "Mehari",
            "Ogbai",
            "Zerai",
            "Kahsay",
            "Weldu",
            "Asmerom",
            "Filmon",
            "Natnael",
            "Robel",
            "Biniam",
            "Efrem",
            "Samuel",
            "Tewelde",
            "Negash",
            "Araya",
            "Berhe",
            "Hagos",
            "Abraha",
            "Ghebremedhin",
            "Woldemichael",
            "Amanuel",
            "Teklemariam",
            "Gebremariam",
            "Gebreyesus",
            "Gebrekidan",
            "Gebrehiwet",
            "Gebreselassie",
            "Haileselassie",
            "Hailemariam",
            "Hailemichael",
            "Teklehaimanot",
            "Tekleab",
            "Woldegiorgis",
            "Woldemariam",
            "Woldeab",
            "Kidanemariam",
            "Habtemariam",
            "Habtemichael",
            "Zerabruk",
            "Ghebrehiwet",
            "Mengistu",
            "Tadesse",
            "Getachew",
            "Alemayehu",
            "Bekele",
            "Girma",
            "Worku",
            "Desta",
            "Fikre",
            "Yirga",
            "Asefa",
            "Tesfamariam",
            "Tesfamichael",
            "Tesfagiorgis",
            "Weldegabriel",
            "Okbazghi",
            "Ghebreab",
            "Sium",
        ],
        female: &[
            "Selam", "Abeba", "Almaz", "Mehret", "Senait", "Aster", "Helen", "Saba", "Ruth", "Lidia", "Yordanos",
            "Hiwet", "Tsega", "Feven", "Winta", "Luwam", "Eden", "Freweyni", "Nebiat", "Meron", "Rahel", "Sara",
            "Elsa", "Mebrat", "Tirhas",
        ],
        roots: &[],
        suffixes: &[],
        patronymic: true,
        places: &[
            "Asmara",
            "Keren",
            "Massawa",
            "Mendefera",
            "Dekemhare",
            "Adi Keyh",
            "Barentu",
            "Addis Ababa",
            "Mekelle",
            "Gondar",
            "Axum",
            "Adigrat",
            "Shire",
            "Bahir Dar",
        ],
        phone_prefix: "291",
        parts: [&[], &[], &[]],
        weight: 3,
    },
    Culture {
        script: Script::Cyrillic,
        male: &[
            "Oleksandr",
            "Mykola",
            "Volodymyr",
            "Yuriy",
            "Dmytro",
            "Andriy",
            "Serhiy",
            "Petro",
            "Pavlo",
            "Ivan",
            "Mykhailo",
            "Vasyl",
            "Taras",
            "Bohdan",
            "Roman",
            "Viktor",
            "Oleh",
            "Ihor",
            "Maksym",
            "Artem",
            "Denys",
            "Vitaliy",
            "Yaroslav",
            "Stepan",
            "Anatoliy",
        ],
        female: &[
            "Olha",
            "Nataliya",
            "Kateryna",
            "Iryna",
            "Tetiana",
            "Olena",
            "Svitlana",
            "Anastasiia",
            "Oksana",
            "Mariia",
            "Yulia",
            "Halyna",
            "Liudmyla",
            "Daria",
            "Sofiia",
            "Viktoriia",
            "Khrystyna",
            "Nadiia",
            "Larysa",
            "Valentyna",
        ],
        roots: &[
            "Shevch", "Kovalen", "Bondar", "Tkach", "Kravch", "Oliyn", "Lysen", "Moroz", "Petr", "Ivan", "Pavl",
            "Sydor", "Melnych", "Savch", "Rudn", "Klym", "Marchen", "Poliak", "Hrytsen", "Tymosh", "Vasyl", "Kuzm",
            "Zhuk", "Bilyk", "Kozak", "Levch", "Hord", "Sokol", "Karp", "Fedor", "Boiko", "Panas", "Kostiuk", "Ostap",
            "Dmytr",
        ],
        suffixes: &["enko", "uk", "chuk", "ov", "yk", "ko", "skyi", "ych", "iak"],
        patronymic: false,
        places: &[
            "Kyiv",
            "Kharkiv",
            "Odesa",
            "Dnipro",
            "Lviv",
            "Zaporizhzhia",
            "Mykolaiv",
            "Kherson",
            "Mariupol",
            "Chernihiv",
            "Sumy",
            "Poltava",
            "Vinnytsia",
            "Bucha",
        ],
        phone_prefix: "380",
        parts: [
            &[
                "Ko", "Pe", "Ma", "Bo", "Sa", "Kra", "Shev", "Tka", "Ho", "Ly", "Mo", "Sy", "Kly", "Ru", "Po", "Za",
                "Ve", "Dy", "Hry", "Ba",
            ],
            &["val", "tr", "rch", "nd", "vch", "ch", "s", "r", "d", "l", "k", "m", "zh", "b"],
            &["enko", "uk", "chuk", "ov", "yk", "ko", "skyi", "ych", "iak", "ets", "ak", "yn"],
        ],
        weight: 3,
    },
    Culture {
        script: Script::Greek,
        male: &[
            "Giorgos",
            "Dimitris",
            "Nikos",
            "Konstantinos",
            "Ioannis",
            "Vasilis",
            "Christos",
            "Panagiotis",
            "Athanasios",
            "Michalis",
            "Stavros",
            "Petros",
            "Spyros",
            "Thanasis",
            "Kostas",
        ],
        female: &[
            "Maria",
            "Eleni",
            "Katerina",
            "Vasiliki",
            "Sofia",
            "Angeliki",
            "Dimitra",
            "Georgia",
            "Ioanna",
            "Paraskevi",
            "Despina",
            "Eirini",
            "Anna",
            "Christina",
            "Athina",
        ],
        roots: &[
            "Papadop",
            "Georgi",
            "Dimitri",
            "Nikol",
            "Konstantin",
            "Ioann",
            "Vasil",
            "Athanas",
            "Christ",
            "Panag",
            "Alexandr",
            "Karag",
            "Economo",
            "Pappa",
            "Stavr",
            "Michail",
            "Spyr",
            "Antonop",
            "Makr",
            "Theodor",
        ],
        suffixes: &["oulos", "ou", "idis", "akis", "as", "opoulos", "iou"],
        patronymic: false,
        places: &[
            "Athina",
            "Thessaloniki",
            "Patra",
            "Irakleio",
            "Larisa",
            "Volos",
            "Ioannina",
            "Chania",
            "Kalamata",
            "Lesvos",
            "Chios",
            "Samos",
        ],
        phone_prefix: "30",
        parts: [
            &[
                "Pa", "Ge", "Di", "Ni", "Ko", "Io", "Va", "Chri", "Ka", "Sta", "Mi", "Spy", "Ma", "The", "Lo", "Tsa",
                "Zo", "Xe", "Ana", "Mou",
            ],
            &["pad", "org", "mitr", "kol", "nstant", "ann", "sil", "st", "rag", "vr", "chal", "r", "kr", "od", "g"],
            &["opoulos", "ou", "idis", "akis", "as", "iou", "elis", "atos"],
        ],
        weight: 1,
    },
    Culture {
        script: Script::Chinese,
        male: &[
            "伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "小明", "建华", "志强",
            "国强", "俊杰", "浩然",
        ],
        female: &[
            "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀英", "秀兰", "桂英", "玉兰", "婷", "雪", "欣怡", "佳怡",
            "子涵", "梓萱", "雨桐", "思琪",
        ],
        roots: &[
            "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高",
            "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
        ],
        suffixes: &[""],
        patronymic: false,
        places: &[
            "Beijing",
            "Shanghai",
            "Guangzhou",
            "Wenzhou",
            "Fuzhou",
            "Chengdu",
            "Wuhan",
            "Kunming",
            "Harbin",
            "Xiamen",
        ],
        phone_prefix: "86",
        parts: [&[], &[], &[]],
        weight: 2,
    },
    Culture {
        script: Script::Latin,
        male: &[
            "Abdi",
            "Mohamud",
            "Abdirahman",
            "Hassan",
            "Ahmed",
            "Farah",
            "Warsame",
            "Yusuf",
            "Osman",
            "Mahad",
            "Liban",
            "Abdullahi",
            "Guled",
            "Bashir",
            "Jama",
            "Abdikarim",
            "Abdiqani",
            "Abdiwali",
            "Aden",
            "Awil",
            "Barkhad",
            "Bile",
            "Dahir",
            "Egal",
            "Elmi",
            "Gedi",
            "Hirsi",
            "Ismail",
            "Jibril",
            "Kahiye",
            "Mukhtar",
            "Nur",
            "Omar",
            "Qalinle",
            "Roble",
            "Samatar",
            "Sharmarke",
            "Shire",
            "Warfa",
            "Yasin",
        ],
        female: &[
            "Hodan", "Hawa", "Faduma", "Ayaan", "Amina", "Sahra", "Ifrah", "Nimco", "Hibo", "Sagal", "Ubah", "Maryan",
            "Istahil", "Ladan", "Deeqa", "Anab", "Asli", "Bilan", "Caaisha", "Dahabo", "Filsan", "Hamdi", "Idil",
            "Kaltun", "Khadra", "Leyla", "Muna", "Naima", "Qamar", "Ruqia", "Shamso", "Sucaad", "Warsan", "Xamdi",
            "Zamzam",
        ],
        roots: &[],
        suffixes: &[],
        patronymic: true,
        places: &[
            "Mogadishu",
            "Hargeisa",
            "Kismayo",
            "Baidoa",
            "Garowe",
            "Bosaso",
            "Beledweyne",
            "Galkayo",
            "Dadaab",
            "Berbera",
        ],
        phone_prefix: "252",
        parts: [&[], &[], &[]],
        weight: 2,
    },
    Culture {
        script: Script::Latin,
        male: &[
            "Minh", "Tuan", "Hung", "Dung", "Nam", "Long", "Quang", "Huy", "Thanh", "Duc", "Khanh", "Phong", "Bao",
            "Hieu", "Vinh",
        ],
        female: &[
            "Lan", "Huong", "Mai", "Linh", "Thao", "Trang", "Ngoc", "Hoa", "Anh", "Thu", "Phuong", "Ha", "Yen",
            "Nhung", "Hanh",
        ],
        roots: &[
            "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
            "Dương", "Lý",
        ],
        suffixes: &[""],
        patronymic: false,
        places: &[
            "Hà Nội",
            "Hải Phòng",
            "Đà Nẵng",
            "Huế",
            "Cần Thơ",
            "Nha Trang",
            "Vinh",
            "Quảng Ninh",
            "Thanh Hóa",
            "Nghệ An",
        ],
        phone_prefix: "84",
        parts: [&[], &[], &[]],
        weight: 2,
    },
    Culture {
        script: Script::Latin,
        male: &[
            "Ion",
            "Andrei",
            "Mihai",
            "Alexandru",
            "Gheorghe",
            "Vasile",
            "Constantin",
            "Florin",
            "Adrian",
            "Cristian",
            "José",
            "Juan",
            "Luis",
            "Carlos",
            "Javier",
            "Miguel",
            "Pierre",
            "Jean",
            "Mamadou",
            "Moussa",
            "Ousmane",
            "Ibrahima",
            "Jean-Baptiste",
            "Emmanuel",
            "Fabrice",
        ],
        female: &[
            "Maria",
            "Elena",
            "Ioana",
            "Andreea",
            "Mihaela",
            "Ana",
            "Carmen",
            "Lucía",
            "Sofía",
            "Marie",
            "Fatoumata",
            "Aminata",
            "Mariama",
            "Awa",
            "Aïssatou",
            "Claudine",
            "Josiane",
            "Nathalie",
            "Esperance",
            "Chantal",
        ],
        roots: &[
            "Popescu",
            "Ionescu",
            "Popa",
            "Dumitru",
            "Stan",
            "Stoica",
            "Gheorghe",
            "Rusu",
            "García",
            "Rodríguez",
            "González",
            "Fernández",
            "López",
            "Martínez",
            "Sánchez",
            "Pérez",
            "Diallo",
            "Traoré",
            "Coulibaly",
            "Keita",
            "Camara",
            "Ndiaye",
            "Bah",
            "Sow",
            "Mukamana",
            "Uwimana",
            "Niyonzima",
            "Habimana",
            "Nkurunziza",
            "Ndayisaba",
            "Martin",
            "Bernard",
            "Dubois",
            "Lefèvre",
            "Mercier",
            "Fontaine",
        ],
        suffixes: &[""],
        patronymic: false,
        places: &[
            "București",
            "Cluj-Napoca",
            "Iași",
            "Madrid",
            "Sevilla",
            "Bogotá",
            "Caracas",
            "Bamako",
            "Conakry",
            "Dakar",
            "Kigali",
            "Bujumbura",
            "Goma",
            "Lyon",
            "Marseille",
            "Bruxelles",
        ],
        phone_prefix: "40",
        parts: [
            &[
                "Po", "Io", "Ga", "Ro", "Fe", "Lo", "Ma", "Sa", "Pe", "Di", "Tra", "Ku", "Ca", "Nda", "Mu", "Ha", "Be",
                "Du", "Le", "Me",
            ],
            &["p", "n", "rc", "dr", "rn", "m", "nch", "r", "l", "b", "s", "t", "g", "v"],
            &[
                "escu", "a", "ía", "uez", "ez", "ndez", "allo", "oré", "ibaly", "ita", "ye", "ana", "imana", "iza",
                "ard", "ois", "ier", "aine", "u", "ov",
            ],
        ],
        weight: 4,
    },
];

/// Generates two sets of records with known true pairs.
/// The given names, family-name roots and places the generator draws from, in Latin script,
/// across all its cultures (a gazetteer for other engines: which words are names and places).
pub fn vocabulary() -> (Vec<&'static str>, Vec<&'static str>, Vec<&'static str>) {
    let mut given = Vec::new();
    let mut family = Vec::new();
    let mut places = Vec::new();
    for c in CULTURES {
        given.extend_from_slice(c.male);
        given.extend_from_slice(c.female);
        family.extend_from_slice(c.roots);
        places.extend_from_slice(c.places);
    }
    (given, family, places)
}

/// The generator's naming cultures in Latin script: (male given names, female given names,
/// family-name roots), for drawing a stand-in name of the same culture and gender.
pub fn cultures() -> Vec<(&'static [&'static str], &'static [&'static str], &'static [&'static str])> {
    CULTURES.iter().map(|c| (c.male, c.female, c.roots)).collect()
}

pub fn generate(options: &SynthOptions) -> Synth {
    let mut rng = SplitMix(options.seed);
    let mut base: Vec<(usize, Truth)> = Vec::with_capacity(options.left);
    for i in 0..options.left {
        let ci = pick_culture(&mut rng);
        base.push((ci, Truth::new(&CULTURES[ci], i, &mut rng)));
    }
    let left: Vec<Person> = base
        .iter()
        .enumerate()
        .map(|(i, (ci, t))| t.record(&CULTURES[*ci], format!("L{i}"), 0.5, 0.0, &mut rng))
        .collect();
    let mut right = Vec::with_capacity(options.right);
    let mut truth = Vec::new();
    for j in 0..options.right {
        let same = rng.unit() < options.overlap && !base.is_empty();
        let (ci, t) = if same {
            let l = rng.below(base.len() as u64) as usize;
            truth.push((l as u32, j as u32));
            base[l].clone()
        } else {
            let ci = pick_culture(&mut rng);
            (ci, Truth::new(&CULTURES[ci], options.left + j, &mut rng))
        };
        right.push(t.record(&CULTURES[ci], format!("R{j}"), options.noise, options.native_script, &mut rng));
    }
    Synth { left, right, truth }
}

/// A culture, drawn in proportion to its weight.
fn pick_culture(rng: &mut SplitMix) -> usize {
    let total: u32 = CULTURES.iter().map(|c| c.weight).sum();
    let mut pick = rng.below(total as u64) as u32;
    for (i, c) in CULTURES.iter().enumerate() {
        if pick < c.weight {
            return i;
        }
        pick -= c.weight;
    }
    0
}

/// The true facts about one person.
#[derive(Clone)]
struct Truth {
    given: String,
    family: String,
    female: bool,
    year: i32,
    month: u8,
    day: u8,
    place: String,
    parent: String,
    phone: String,
    id_number: String,
}

impl Truth {
    fn new(c: &Culture, n: usize, rng: &mut SplitMix) -> Truth {
        let female = rng.unit() < 0.5;
        let pick = |list: &[&str], rng: &mut SplitMix| list[rng.below(list.len() as u64) as usize].to_string();
        let mut given = pick(if female { c.female } else { c.male }, rng);
        if c.script == Script::Chinese && rng.unit() < 0.7 {
            // Two-character given names, the commonest form.
            let a = pick(if female { c.female } else { c.male }, rng);
            given = format!("{}{}", a.chars().next().unwrap_or('明'), given.chars().last().unwrap_or('华'));
        }
        if c.phone_prefix == "84" {
            const MIDDLE: &[&str] =
                &["Văn", "Thị", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Hữu", "Xuân", "Kim", "Hoài", "Bảo"];
            given = format!("{} {given}", pick(MIDDLE, rng));
        }
        let father = pick(c.male, rng);
        let family = if c.patronymic {
            father.clone()
        } else if c.script == Script::Arabic && c.phone_prefix == "963" && rng.unit() < 0.3 {
            format!("{} {}", if rng.unit() < 0.5 { "Abu" } else { "Bin" }, pick(c.male, rng))
        } else if !c.parts[0].is_empty() && rng.unit() < 0.7 {
            let name = format!("{}{}{}", pick(c.parts[0], rng), pick(c.parts[1], rng), pick(c.parts[2], rng));
            if c.phone_prefix == "963" && rng.unit() < 0.3 {
                format!("Al-{name}")
            } else {
                name
            }
        } else {
            let root = pick(c.roots, rng);
            let suffix = pick(c.suffixes, rng);
            if suffix.ends_with('-') {
                format!("{suffix}{root}")
            } else {
                format!("{root}{suffix}")
            }
        };
        // Patronymic cultures: the record's "family name" is the father's name; the parent
        // field names him with his own father's name.
        let parent =
            if c.patronymic { format!("{father} {}", pick(c.male, rng)) } else { format!("{} {family}", father) };
        Truth {
            given,
            family,
            female,
            year: 1945 + rng.below(80) as i32,
            month: 1 + rng.below(12) as u8,
            day: 1 + rng.below(28) as u8,
            place: if rng.unit() < 0.3 { pick(c.places, rng) } else { village(c, rng) },
            parent,
            phone: format!("+{} {}", c.phone_prefix, 700_000_000 + rng.below(99_999_999)),
            id_number: format!(
                "{}{:08}",
                (b'A' + rng.below(26) as u8) as char,
                (n as u64 * 7919 + 12345) % 100_000_000
            ),
        }
    }

    /// One registrar's record of this person.
    fn record(&self, c: &Culture, id: String, noise: f64, native: f64, rng: &mut SplitMix) -> Person {
        let p = |x: f64| x * noise;
        let mut given = drift(&self.given, p(0.25), rng);
        let mut family = drift(&self.family, p(0.25), rng);
        given = typo(&given, p(0.08), rng);
        family = typo(&family, p(0.08), rng);
        let mut parent = typo(&drift(&self.parent, p(0.2), rng), p(0.05), rng);
        if c.script != Script::Latin && rng.unit() < native {
            given = to_script(c.script, &given);
            family = to_script(c.script, &family);
            parent = to_script(c.script, &parent);
        } else if c.script == Script::Chinese {
            given = to_script(Script::Latin, &given);
            family = to_script(Script::Latin, &family);
            parent = to_script(Script::Latin, &parent);
        }
        if rng.unit() < p(0.06) {
            std::mem::swap(&mut given, &mut family);
        }
        let missing = |v: String, share: f64, rng: &mut SplitMix| if rng.unit() < share { String::new() } else { v };
        let given = missing(given, p(0.03), rng);
        let family = missing(family, p(0.05), rng);
        let sex = missing(if self.female { "F" } else { "M" }.to_string(), p(0.05), rng);
        let (mut y, mut m, mut d) = (self.year, self.month, self.day);
        let r = rng.unit();
        let birth_date = if r < p(0.05) {
            format!("~{}", y + rng.below(5) as i32 - 2)
        } else if r < p(0.09) {
            String::new()
        } else {
            if r < p(0.13) && d <= 12 {
                std::mem::swap(&mut m, &mut d);
            } else if r < p(0.18) {
                match rng.below(3) {
                    0 => y += if rng.unit() < 0.5 { 1 } else { -1 },
                    1 => m = (m % 12) + 1,
                    _ => d = (d % 28) + 1,
                }
            }
            match rng.below(3) {
                0 => format!("{y:04}-{m:02}-{d:02}"),
                1 => format!("{d:02}/{m:02}/{y:04}"),
                _ => format!("{y:04}{m:02}{d:02}"),
            }
        };
        let place = missing(typo(&drift(&self.place, p(0.2), rng), p(0.05), rng), p(0.15), rng);
        let parent = missing(parent, p(0.3), rng);
        let phone = missing(self.phone.clone(), 0.6, rng);
        let id_number = missing(typo(&self.id_number, p(0.03), rng), 0.7, rng);
        Person {
            id,
            given_name: given,
            family_name: family,
            sex,
            birth_date,
            place,
            parent_name: parent,
            phone,
            id_number,
        }
    }
}

/// A village or town quarter: most people the network meets come from places too small for a
/// short list.
fn village(c: &Culture, rng: &mut SplitMix) -> String {
    const ROOTS: &[&str] = &[
        "Mar", "Kal", "Ban", "Sor", "Tel", "Dar", "Nov", "Hal", "Ros", "Bel", "Kar", "Man", "Sal", "Ter", "Vel", "Zag",
        "Pol", "Mir", "Gor", "Las", "Nar", "Bor", "Kam", "Dol", "Fer", "Gal", "Lin", "Mon", "Pan", "Rad", "Sar", "Tan",
        "Val", "Yar", "Zan", "Ash", "Ber", "Dun", "Eld", "Har",
    ];
    const MIDDLE: &[&str] = &["a", "i", "o", "u", "e", "an", "in", "ov", "al", "ur"];
    let root = format!(
        "{}{}{}",
        ROOTS[rng.below(ROOTS.len() as u64) as usize],
        MIDDLE[rng.below(MIDDLE.len() as u64) as usize],
        ROOTS[rng.below(ROOTS.len() as u64) as usize].to_lowercase()
    );
    let (prefix, suffix) = match (c.script, c.phone_prefix) {
        (Script::Arabic, "963") => (["Tal ", "Kafr ", "Deir ", "Ain "][rng.below(4) as usize], ""),
        (Script::Arabic, _) => ("", ["abad", "kheyl", "dara", "ak"][rng.below(4) as usize]),
        (Script::Ethiopic, _) => (["Adi ", "Mai ", "Enda ", ""][rng.below(4) as usize], ""),
        (Script::Cyrillic, _) => ("", ["ivka", "ove", "ivtsi", "yn", "ychi"][rng.below(5) as usize]),
        (Script::Greek, _) => ("", ["os", "i", "ia", "ada"][rng.below(4) as usize]),
        (Script::Chinese, _) => ("", [" cun", " zhen", "xiang"][rng.below(3) as usize]),
        _ => (["", "San ", "Saint-", ""][rng.below(4) as usize], ["", "ville", "ești", "ga"][rng.below(4) as usize]),
    };
    format!("{prefix}{root}{suffix}")
}

/// Transliteration drift: the ways different hands write the same sounds in Latin letters.
fn drift(s: &str, chance: f64, rng: &mut SplitMix) -> String {
    if s.is_empty() || !s.is_ascii() || rng.unit() >= chance {
        return s.to_string();
    }
    const SWAPS: &[(&str, &str)] = &[
        ("ou", "u"),
        ("u", "ou"),
        ("oo", "u"),
        ("ee", "i"),
        ("e", "i"),
        ("i", "e"),
        ("o", "u"),
        ("u", "o"),
        ("kh", "h"),
        ("q", "k"),
        ("sh", "ch"),
        ("j", "dj"),
        ("y", "i"),
        ("ph", "f"),
        ("w", "v"),
        ("mm", "m"),
        ("ss", "s"),
        ("dd", "d"),
        ("m", "mm"),
        ("s", "ss"),
        ("Al-", "El-"),
        ("Al-", ""),
        ("ah", "a"),
        ("a", "ah"),
        ("ie", "y"),
        ("iy", "i"),
        ("ai", "ay"),
        ("ay", "ai"),
        ("c", "k"),
        ("z", "s"),
    ];
    let lower = s.to_lowercase();
    for _ in 0..4 {
        let (from, to) = SWAPS[rng.below(SWAPS.len() as u64) as usize];
        let from_l = from.to_lowercase();
        if let Some(pos) = lower.find(&from_l) {
            // "a" -> "ah" only at the end; others anywhere.
            if from == "a" && pos + 1 != lower.len() {
                continue;
            }
            let mut out = String::with_capacity(s.len() + 2);
            out.push_str(&s[..pos]);
            let original = &s[pos..pos + from.len()];
            if original.chars().next().is_some_and(char::is_uppercase) {
                let mut t = to.chars();
                if let Some(first) = t.next() {
                    out.extend(first.to_uppercase());
                    out.push_str(t.as_str());
                }
            } else {
                out.push_str(&to.to_lowercase());
            }
            out.push_str(&s[pos + from.len()..]);
            return out;
        }
    }
    s.to_string()
}

/// One typing slip: a letter dropped, doubled, replaced or two exchanged.
fn typo(s: &str, chance: f64, rng: &mut SplitMix) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 3 || rng.unit() >= chance {
        return s.to_string();
    }
    let mut c = chars;
    let i = 1 + rng.below(c.len() as u64 - 1) as usize;
    match rng.below(4) {
        0 => {
            c.remove(i);
        }
        1 => c.insert(i, c[i]),
        2 => {
            let letters = b"aeioulnrstmkdh";
            c[i] = letters[rng.below(letters.len() as u64) as usize] as char;
        }
        _ => c.swap(i - 1, i),
    }
    c.into_iter().collect()
}

/// Writes a Latin-script name in the culture's script, as a registrar at home would.
fn to_script(script: Script, s: &str) -> String {
    match script {
        Script::Latin => match script_of_han(s) {
            Some(latin) => latin,
            None => s.to_string(),
        },
        Script::Chinese => s.to_string(),
        _ => s.split(' ').map(|w| word_to_script(script, w)).collect::<Vec<_>>().join(" "),
    }
}

/// Chinese names are generated in Han characters; the Latin side writes them in pinyin with
/// the surname apart.
fn script_of_han(s: &str) -> Option<String> {
    if s.is_ascii() {
        return None;
    }
    Some(
        s.split(' ')
            .map(|w| {
                let mut out = String::new();
                for c in w.chars() {
                    use pinyin::ToPinyin;
                    match c.to_pinyin() {
                        Some(p) => out.push_str(p.plain()),
                        None => out.push(c),
                    }
                }
                let mut cs = out.chars();
                cs.next().map(|f| f.to_uppercase().chain(cs).collect::<String>()).unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(" "),
    )
}

fn word_to_script(script: Script, word: &str) -> String {
    let w = word.to_lowercase();
    let b = w.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    let digraphs: &[(&str, &str, &str, &str)] = &[
        // latin, cyrillic, greek, arabic
        ("shch", "щ", "σ", "ش"),
        ("kh", "х", "χ", "خ"),
        ("zh", "ж", "ζ", "ژ"),
        ("ts", "ц", "τσ", "تس"),
        ("ch", "ч", "τσ", "چ"),
        ("sh", "ш", "σ", "ش"),
        ("th", "т", "θ", "ث"),
        ("gh", "г", "γ", "غ"),
        ("dh", "д", "δ", "ذ"),
        ("yu", "ю", "γιου", "يو"),
        ("ya", "я", "για", "يا"),
        ("yi", "ї", "γι", "يي"),
        ("ou", "у", "ου", "و"),
        ("ee", "і", "ι", "ي"),
        ("oo", "у", "ου", "و"),
        ("ai", "ай", "αι", "اي"),
    ];
    if script == Script::Ethiopic {
        return ethiopic_word(&w);
    }
    if w.starts_with("al-") && script == Script::Arabic {
        out.push_str("ال");
        i = 3;
    }
    'outer: while i < b.len() {
        for (lat, cyr, gr, ar) in digraphs {
            if w[i..].starts_with(lat) {
                out.push_str(match script {
                    Script::Cyrillic => cyr,
                    Script::Greek => gr,
                    _ => ar,
                });
                i += lat.len();
                continue 'outer;
            }
        }
        let c = b[i] as char;
        let at_start = i == 0;
        let last = i + 1 == b.len();
        let s: &str = match script {
            Script::Cyrillic => match c {
                'a' => "а",
                'b' => "б",
                'v' | 'w' => "в",
                'g' => "г",
                'h' => "г",
                'd' => "д",
                'e' => "е",
                'z' => "з",
                'i' => "і",
                'y' => "и",
                'k' | 'c' | 'q' => "к",
                'l' => "л",
                'm' => "м",
                'n' => "н",
                'o' => "о",
                'p' => "п",
                'r' => "р",
                's' => "с",
                't' => "т",
                'u' => "у",
                'f' => "ф",
                'j' => "й",
                'x' => "кс",
                _ => "",
            },
            Script::Greek => match c {
                'a' => "α",
                'b' => "μπ",
                'v' | 'w' => "β",
                'g' => "γ",
                'd' => "δ",
                'e' => "ε",
                'z' => "ζ",
                'i' | 'y' => "ι",
                'k' | 'c' | 'q' => "κ",
                'l' => "λ",
                'm' => "μ",
                'n' => "ν",
                'o' => "ο",
                'p' => "π",
                'r' => "ρ",
                's' => {
                    if last {
                        "ς"
                    } else {
                        "σ"
                    }
                }
                't' => "τ",
                'u' => "ου",
                'f' => "φ",
                'x' => "ξ",
                'h' => "χ",
                'j' => "τζ",
                _ => "",
            },
            _ => match c {
                // Arabic script writes long vowels and initial vowels, not short ones.
                'a' if at_start => "ا",
                'e' | 'i' | 'o' | 'u' if at_start => "ا",
                'a' if last => "ا",
                'e' if last => "ه",
                'i' if last => "ي",
                'a' | 'e' => "",
                'i' => "ي",
                'o' | 'u' => "و",
                'b' => "ب",
                'p' => "پ",
                't' => "ت",
                'j' => "ج",
                'h' => "ح",
                'd' => "د",
                'r' => "ر",
                'z' => "ز",
                's' => "س",
                'f' => "ف",
                'q' => "ق",
                'k' | 'c' => "ك",
                'g' => "گ",
                'l' => "ل",
                'm' => "م",
                'n' => "ن",
                'w' | 'v' => "و",
                'y' => "ي",
                'x' => "كس",
                _ => "",
            },
        };
        // Arabic script does not repeat a doubled consonant.
        if !(script == Script::Arabic && i > 0 && b[i - 1] == b[i]) {
            out.push_str(s);
        }
        i += 1;
    }
    out
}

/// Writes a Latin name in Ethiopic syllables: a consonant with its vowel is one sign.
fn ethiopic_word(w: &str) -> String {
    const CONSONANTS: &[(&str, u32)] = &[
        ("sh", 0x1238),
        ("ch", 0x1278),
        ("ts", 0x1338),
        ("zh", 0x12E0),
        ("gh", 0x1308),
        ("kh", 0x12B8),
        ("h", 0x1200),
        ("l", 0x1208),
        ("m", 0x1218),
        ("r", 0x1228),
        ("s", 0x1230),
        ("q", 0x1240),
        ("b", 0x1260),
        ("v", 0x1268),
        ("t", 0x1270),
        ("n", 0x1290),
        ("k", 0x12A8),
        ("w", 0x12C8),
        ("z", 0x12D8),
        ("y", 0x12E8),
        ("d", 0x12F0),
        ("j", 0x1300),
        ("g", 0x1308),
        ("p", 0x1350),
        ("f", 0x1348),
        ("c", 0x12A8),
        ("x", 0x12A8),
    ];
    let vowel_order = |c: u8| match c {
        b'e' => Some(0),
        b'u' => Some(1),
        b'i' => Some(2),
        b'a' => Some(3),
        b'o' => Some(6),
        _ => None,
    };
    let b = w.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        let consonant = CONSONANTS.iter().find(|(lat, _)| w[i..].starts_with(lat));
        let (row, used) = match consonant {
            Some((lat, row)) => (*row, lat.len()),
            None if vowel_order(b[i]).is_some() => (0x12A0, 0),
            None => {
                i += 1;
                continue;
            }
        };
        i += used;
        let order = match b.get(i).and_then(|&c| vowel_order(c)) {
            Some(o) => {
                i += 1;
                o
            }
            None => 5,
        };
        if let Some(c) = char::from_u32(row + order) {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::{compare, Role, Value};

    #[test]
    fn generation_is_deterministic_with_known_truth() {
        let o = SynthOptions { left: 300, right: 200, overlap: 0.5, native_script: 0.5, ..SynthOptions::default() };
        let (a, b) = (generate(&o), generate(&o));
        assert_eq!(a.left, b.left);
        assert_eq!(a.right, b.right);
        assert!(a.truth.len() > 70 && a.truth.len() < 130, "{}", a.truth.len());
        assert!(a.right.iter().any(|p| !p.given_name.is_ascii()), "some names in their own script");
    }

    #[test]
    fn scripts_written_back_match_their_latin_form() {
        for (script, role, latin) in [
            (Script::Cyrillic, Role::FamilyName, "Shevchenko"),
            (Script::Greek, Role::FamilyName, "Papadopoulos"),
            (Script::Arabic, Role::GivenName, "Mustafa"),
            (Script::Arabic, Role::FamilyName, "Al-Haddad"),
            (Script::Ethiopic, Role::GivenName, "Tesfay"),
        ] {
            let native = to_script(script, latin);
            let (a, b) = (Value::prepare(role, latin, 2026), Value::prepare(role, &native, 2026));
            assert!(compare(role, &a, &b) <= 2, "{latin} / {native}");
        }
        assert_eq!(to_script(Script::Latin, "王 小明"), "Wang Xiaoming");
    }
}
